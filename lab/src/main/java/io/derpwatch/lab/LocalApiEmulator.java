package io.derpwatch.lab;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tailscaled LocalAPI on a real Unix socket: a Netty HTTP/1.1 server serving a real status document and DERP
 * map (see {@code SOURCES.txt}), whose node state tests and the demo can change while it runs, and which can
 * misbehave on demand ({@link Misbehaviour}). It runs on its own one-thread event loop (epoll when the native
 * transport is on the classpath, NIO otherwise), so it is a separate peer from whatever talks to it.
 */
public final class LocalApiEmulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalApiEmulator.class);

    private final Path socket;
    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup held;
    private final AtomicReference<LabNodeState> state = new AtomicReference<>(LabNodeState.connected());
    private final AtomicReference<byte[]> statusDocument = new AtomicReference<>();
    private final AtomicReference<byte[]> statusWithPeersDocument = new AtomicReference<>();
    private final AtomicReference<byte[]> derpMapDocument = new AtomicReference<>();
    private final Map<Integer, java.net.InetSocketAddress> derpServers = new ConcurrentHashMap<>();
    private final AtomicReference<Misbehaviour> misbehaviour = new AtomicReference<>(Misbehaviour.NONE);
    private final Map<String, Misbehaviour> pathMisbehaviours = new ConcurrentHashMap<>();
    private final AtomicReference<LabRequest> lastRequest = new AtomicReference<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final IpnBus ipnBus;
    private final LabPing ping = new LabPing();
    private final LabUserMetrics userMetrics = new LabUserMetrics();
    private final LabLogTap logTap = new LabLogTap();

    private volatile LabDocuments documents;

    private LocalApiEmulator(Path socket, EventLoopGroup group, Channel server, ChannelGroup held, IpnBus ipnBus) {
        this.socket = socket;
        this.ipnBus = ipnBus;
        this.group = group;
        this.server = server;
        this.held = held;
    }

    /**
     * Listens on {@code socket} (a stale file there is removed first, as tailscaled does) and returns once
     * the socket accepts connections.
     */
    public static LocalApiEmulator start(Path socket) {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("derpwatch-lab", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            Files.deleteIfExists(socket);
            ChannelGroup held = new DefaultChannelGroup("lab-held", group.next());
            LabDocuments documents = new LabDocuments();
            Holder holder = new Holder();
            Class<? extends ServerChannel> channelClass =
                    epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
            SocketAddress address =
                    epoll ? new DomainSocketAddress(socket.toString()) : UnixDomainSocketAddress.of(socket);
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(channelClass)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), holder.handler);
                        }
                    })
                    .bind(address)
                    .syncUninterruptibly()
                    .channel();
            LocalApiEmulator emulator =
                    new LocalApiEmulator(socket, group, server, held, new IpnBus(documents.version()));
            holder.handler = new LocalApiHandler(emulator, documents);
            emulator.documents = documents;
            log.info("lab LocalAPI listening on {} ({})", socket, epoll ? "epoll" : "nio");
            return emulator;
        } catch (IOException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new UncheckedIOException("lab LocalAPI could not listen on " + socket, e);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Lets the channel initializer see the handler, which needs the emulator built after bind. */
    private static final class Holder {
        volatile LocalApiHandler handler;
    }

    public Path socket() {
        return socket;
    }

    /**
     * Pretends to be tailscaled {@code version} (e.g. "1.58.2-t1234", before the IPN bus had structured health):
     * the built status document's {@code Version} and the bus's initial notify name it. Script the bus to match
     * with {@link IpnBus#support}.
     */
    public void daemonVersion(String version) {
        documents.version(Objects.requireNonNull(version));
        ipnBus.version(version);
    }

    /** The IPN bus ({@code /localapi/v0/watch-ipn-bus}) tests script. */
    public IpnBus ipnBus() {
        return ipnBus;
    }

    public LabNodeState state() {
        return state.get();
    }

    public void setState(LabNodeState newState) {
        state.set(Objects.requireNonNull(newState));
    }

    public LabNodeState update(UnaryOperator<LabNodeState> change) {
        return state.updateAndGet(change);
    }

    /**
     * Serves {@code document} verbatim as {@code /localapi/v0/status} (a real {@code tailscale status --json}
     * capture, say) instead of the document built from {@link #state()}; null goes back to the built one.
     */
    public void serveStatusDocument(byte[] document) {
        statusDocument.set(document == null ? null : document.clone());
    }

    Optional<byte[]> statusDocument() {
        return Optional.ofNullable(statusDocument.get());
    }

    /**
     * Serves {@code document} verbatim as {@code /localapi/v0/status} with peers only ({@code peers=false}
     * still gets the document built from {@link #state()}, as a real daemon's small one): a generated
     * large-tailnet document, say. Null goes back to the built one.
     */
    public void serveStatusWithPeersDocument(byte[] document) {
        statusWithPeersDocument.set(document == null ? null : document.clone());
    }

    Optional<byte[]> statusWithPeersDocument() {
        return Optional.ofNullable(statusWithPeersDocument.get());
    }

    /** The scripted answers of {@code /localapi/v0/ping}. */
    public LabPing ping() {
        return ping;
    }

    /** {@code /localapi/v0/logtap}: the log records it streams, or its refusal (403). */
    public LabLogTap logTap() {
        return logTap;
    }

    /** The body (or absence) of {@code /localapi/v0/usermetrics}. */
    public LabUserMetrics userMetrics() {
        return userMetrics;
    }

    /**
     * Serves {@code document} as {@code /localapi/v0/derpmap} (while the state has a DERP map) instead of the
     * vendored default map; null goes back to the default one.
     */
    public void serveDerpMap(byte[] document) {
        derpMapDocument.set(document == null ? null : document.clone());
    }

    /**
     * Points the nodes of region {@code regionId} of the default DERP map at a lab DERP server (e.g. a
     * {@code LabDerpServer} on 127.0.0.1), so the agent's active check reaches it.
     */
    public void serveDerpServer(int regionId, java.net.InetSocketAddress address) {
        derpServers.put(regionId, Objects.requireNonNull(address));
    }

    Map<Integer, java.net.InetSocketAddress> derpServers() {
        return Map.copyOf(derpServers);
    }

    Optional<byte[]> derpMapDocument() {
        return Optional.ofNullable(derpMapDocument.get());
    }

    public Misbehaviour misbehaviour() {
        return misbehaviour.get();
    }

    /** Answers every following request this way, until set back to {@link Misbehaviour#NONE}. */
    public void misbehave(Misbehaviour how) {
        misbehaviour.set(Objects.requireNonNull(how));
    }

    /**
     * Answers requests for {@code path} (such as {@code /localapi/v0/derpmap}, without query) this way, over
     * {@link #misbehave(Misbehaviour)}; {@link Misbehaviour#NONE} clears it.
     */
    public void misbehaveOn(String path, Misbehaviour how) {
        if (how == Misbehaviour.NONE) {
            pathMisbehaviours.remove(path);
        } else {
            pathMisbehaviours.put(path, how);
        }
    }

    Misbehaviour misbehaviourFor(String path) {
        return pathMisbehaviours.getOrDefault(path, misbehaviour.get());
    }

    /** How many requests have arrived (including rejected and unanswered ones). */
    public int requestCount() {
        return requests.get();
    }

    public Optional<LabRequest> lastRequest() {
        return Optional.ofNullable(lastRequest.get());
    }

    /** Starts running {@code scenario} on the emulator's event loop; close the runner to stop it. */
    public ScenarioRunner run(LabScenario scenario) {
        return run(scenario, step -> {});
    }

    /** Like {@link #run(LabScenario)}, telling {@code listener} of each step as it begins (on the lab's loop). */
    public ScenarioRunner run(LabScenario scenario, java.util.function.Consumer<LabScenario.Step> listener) {
        return new ScenarioRunner(this, group.next(), scenario, listener);
    }

    void record(LabRequest request) {
        lastRequest.set(request);
        requests.incrementAndGet();
    }

    void hold(Channel channel) {
        held.add(channel);
    }

    /** Stops listening, drops every connection and removes the socket file. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        held.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.warn("lab could not remove {}: {}", socket, e.toString());
        }
    }
}
