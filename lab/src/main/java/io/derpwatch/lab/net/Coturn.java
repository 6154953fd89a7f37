package io.derpwatch.lab.net;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Debian's coturn ({@code turnserver}) as a plain STUN server on loopback addresses, started as a child process
 * for tests and benchmarks: {@code turnserver -n --stun-only --no-tls --no-dtls --no-tcp -L <ip>... }.
 */
public final class Coturn implements AutoCloseable {
    private final Process process;
    private final List<InetAddress> addresses;
    private final int port;
    private final Path log;

    private Coturn(Process process, List<InetAddress> addresses, int port, Path log) {
        this.process = process;
        this.addresses = addresses;
        this.port = port;
        this.log = log;
    }

    /** The {@code turnserver} executable on the PATH, if any. */
    public static Optional<Path> executable() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, "turnserver");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts coturn listening on every address at one free UDP port and waits (up to 10 s) until each address
     * answers a STUN Binding request.
     */
    public static Coturn start(List<InetAddress> addresses) throws IOException, InterruptedException {
        Path exe = executable().orElseThrow(() -> new IOException("turnserver (coturn) is not installed"));
        int port = freePort(addresses);
        Path dir = Files.createTempDirectory("coturn");
        Path log = dir.resolve("turnserver.log");
        List<String> cmd = new ArrayList<>(List.of(
                exe.toString(),
                "-n",
                "--stun-only",
                "--no-tls",
                "--no-dtls",
                "--no-tcp",
                "--no-cli",
                "--log-file",
                "stdout",
                "--simple-log",
                "--listening-port",
                String.valueOf(port),
                "--pidfile",
                dir.resolve("turnserver.pid").toString()));
        for (InetAddress a : addresses) {
            cmd.add("-L");
            cmd.add(a.getHostAddress());
        }
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Coturn c = new Coturn(p, List.copyOf(addresses), port, log);
        try {
            c.awaitReady(Duration.ofSeconds(10));
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public int port() {
        return port;
    }

    /** The STUN server's address on {@code ip}. */
    public InetSocketAddress address(InetAddress ip) {
        return new InetSocketAddress(ip, port);
    }

    public List<InetAddress> addresses() {
        return addresses;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DatagramSocket s = new DatagramSocket()) { // wildcard: reaches IPv4 and IPv6 loopback alike
            s.setSoTimeout(100);
            for (InetAddress a : addresses) {
                while (true) {
                    if (!process.isAlive()) {
                        throw new IOException(
                                "turnserver exited with " + process.exitValue() + ": " + Files.readString(log));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException(
                                "turnserver did not answer STUN on " + a + ":" + port + " within " + timeout);
                    }
                    if (ping(s, new InetSocketAddress(a, port))) {
                        break;
                    }
                }
            }
        }
    }

    private static boolean ping(DatagramSocket s, InetSocketAddress to) throws IOException {
        ByteBuffer req =
                ByteBuffer.allocate(20).putShort((short) 1).putShort((short) 0).putInt(0x2112A442);
        byte[] tx = new byte[12];
        ThreadLocalRandom.current().nextBytes(tx);
        req.put(tx);
        s.send(new DatagramPacket(req.array(), 20, to));
        byte[] buf = new byte[1500];
        DatagramPacket reply = new DatagramPacket(buf, buf.length);
        try {
            s.receive(reply);
            return reply.getLength() >= 20 && buf[0] == 1 && buf[1] == 1;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static int freePort(List<InetAddress> addresses) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addresses.get(0), 0))) {
                port = s.getLocalPort();
            }
            boolean free = true;
            for (InetAddress a : addresses) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, port))) {
                    s.getLocalPort();
                } catch (IOException e) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no UDP port free on all of " + addresses);
    }

    /** Stops turnserver (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
