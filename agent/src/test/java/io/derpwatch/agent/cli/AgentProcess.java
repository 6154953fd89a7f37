package io.derpwatch.agent.cli;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code derpwatch} as a child JVM on the test class path, its stdout and stderr in files of {@code dir}. */
final class AgentProcess implements AutoCloseable {
    private static final Pattern DEFAULT_OPTS = Pattern.compile("(?m)^default_opts=\"([^\"]*)\"");
    private static final Pattern ADMIN_PORT = Pattern.compile("admin server listening on http://[^:]+:(\\d+)");

    private final Path dir;
    final Process process;

    private AgentProcess(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts {@code derpwatch run --config <dir>/agent.conf} with {@code config} as that file. */
    static AgentProcess run(Path dir, String config, String... jvmOptions) throws Exception {
        Path conf = Files.writeString(dir.resolve("agent.conf"), config);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--config",
                conf.toString()));
        Process p = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .start();
        return new AgentProcess(dir, p);
    }

    /**
     * The JVM flags the {@code derpwatch} launcher runs the agent with ({@code default_opts}: a 48 MiB heap, the
     * interpreter but for the burst-hot code), read from the launcher itself so a process test sees the agent as it ships.
     */
    static String[] launcherFlags() throws Exception {
        String launcher = Files.readString(
                io.derpwatch.agent.home.StatusFixtures.repositoryRoot().resolve("derpwatch"), StandardCharsets.UTF_8);
        Matcher m = DEFAULT_OPTS.matcher(launcher);
        if (!m.find()) {
            throw new IllegalStateException("no default_opts=\"...\" in the derpwatch launcher");
        }
        return m.group(1).trim().split("\\s+");
    }

    String stdout() throws Exception {
        return read("stdout");
    }

    String stderr() throws Exception {
        return read("stderr");
    }

    /** The admin port from the start-up log line, or -1 before it is logged. */
    int adminPort() throws Exception {
        Matcher m = ADMIN_PORT.matcher(stderr());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private String read(String name) throws Exception {
        File f = dir.resolve(name).toFile();
        return f.exists() ? Files.readString(f.toPath(), StandardCharsets.UTF_8) : "";
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
