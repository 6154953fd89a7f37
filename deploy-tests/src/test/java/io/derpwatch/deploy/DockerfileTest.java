package io.derpwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What deploy/docker/Dockerfile must say, checked without building it (ContainerImageTest builds it). */
class DockerfileTest {
    private static final String DOCKERFILE = Repository.read("deploy/docker/Dockerfile");

    /** The JVM flags of the launcher's default_opts and log_opts, as ./derpwatch writes them. */
    private static List<String> launcherFlags() {
        String launcher = Repository.read("derpwatch");
        List<String> flags = new ArrayList<>();
        for (String var : List.of("default_opts", "log_opts")) {
            Matcher m = Pattern.compile("(?s)\\n" + var + "=\"([^\"]*)\"").matcher(launcher);
            assertThat(m.find()).as("%s in ./derpwatch", var).isTrue();
            flags.addAll(List.of(m.group(1).trim().split("\\s+")));
        }
        return flags;
    }

    private static List<String> entrypoint() {
        Matcher m = Pattern.compile("(?s)\\nENTRYPOINT \\[(.*?)]").matcher(DOCKERFILE);
        assertThat(m.find()).as("an exec-form ENTRYPOINT").isTrue();
        List<String> args = new ArrayList<>();
        Matcher q = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (q.find()) {
            args.add(q.group(1));
        }
        return args;
    }

    @Test
    void entrypoint_runsTheJlinkRuntimeWithTheLaunchersFlagsAndTheBuildTimeArchive() {
        List<String> entrypoint = entrypoint();
        assertThat(entrypoint.get(0)).isEqualTo("/opt/derpwatch/jre/bin/java");
        assertThat(entrypoint).containsAll(launcherFlags());
        assertThat(entrypoint).contains("-XX:SharedArchiveFile=/opt/derpwatch/derpwatch.jsa");
        assertThat(entrypoint.subList(entrypoint.size() - 3, entrypoint.size()))
                .containsExactly("-cp", "/opt/derpwatch/derpwatch.jar", "io.derpwatch.agent.cli.Main");
        assertThat(DOCKERFILE).contains("-XX:ArchiveClassesAtExit=/opt/derpwatch/derpwatch.jsa");
    }

    @Test
    void nettysEpollLibrary_isUnpackedAtBuildTime_andOnTheLibraryPathOfTheEntrypointAndTheTrainingRun() {
        assertThat(DOCKERFILE).contains("jar xf ../derpwatch.jar META-INF/native/");
        assertThat(entrypoint()).contains("-Djava.library.path=/opt/derpwatch/native");
        assertThat(DOCKERFILE).contains("-Djava.library.path=/opt/derpwatch/native \\\n");
    }

    @Test
    void image_isNonRootWithoutHealthcheckWithOciLabelsFromBaseArguments() {
        assertThat(DOCKERFILE).contains("\nUSER 65532:65532\n").doesNotContain("\nHEALTHCHECK");
        assertThat(DOCKERFILE)
                .contains("ARG BASE=", "ARG BUILD_BASE=", "FROM ${BUILD_BASE} AS build", "FROM ${BASE}\n");
        assertThat(DOCKERFILE)
                .contains(
                        "org.opencontainers.image.title",
                        "org.opencontainers.image.version",
                        "org.opencontainers.image.revision",
                        "org.opencontainers.image.source");
        assertThat(DOCKERFILE).contains("./mvnw -B -q -DskipTests package");
    }
}
