package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.log.LogFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class RunArgumentsTest {

    @Test
    void plainRun_isReadWithoutPicocli() {
        assertThat(RunArguments.plain(new String[] {"run"})).isEqualTo(new RunArguments(null, false, null, null));
    }

    @Test
    void everyOptionOfRun_inBothForms_isRead() {
        assertThat(RunArguments.plain(new String[] {"run", "--once", "--config", "a.conf"}))
                .isEqualTo(new RunArguments(Path.of("a.conf"), true, null, null));
        assertThat(RunArguments.plain(new String[] {"run", "-c", "a.conf", "--log-level=debug"}))
                .isEqualTo(new RunArguments(Path.of("a.conf"), false, Level.DEBUG, null));
        assertThat(RunArguments.plain(new String[] {"run", "--config=a.conf", "--log-format", "json"}))
                .isEqualTo(new RunArguments(Path.of("a.conf"), false, null, LogFormat.JSON));
    }

    @Test
    void logOptions_beforeRun_areReadToo() {
        assertThat(RunArguments.plain(new String[] {"--log-level", "warn", "--log-format=text", "run"}))
                .isEqualTo(new RunArguments(null, false, Level.WARN, LogFormat.TEXT));
    }

    @Test
    void anythingElse_isLeftToPicocli() {
        String[][] others = {
            {},
            {"status"},
            {"--help"},
            {"run", "--help"},
            {"run", "-h"},
            {"run", "--version"},
            {"--once", "run"},
            {"-c", "a.conf", "run"},
            {"run", "--once", "--once"},
            {"run", "-c", "a.conf", "--config", "b.conf"},
            {"run", "--log-level", "info", "--log-level", "debug"},
            {"--log-level", "info", "run", "--log-level", "debug"},
            {"run", "--config"},
            {"run", "--config", "--once"},
            {"run", "--config", ""},
            {"run", "--config="},
            {"run", "-ca.conf"},
            {"run", "-c=a.conf"},
            {"run", "--once=true"},
            {"run", "--once", "true"},
            {"run", "@args.txt"},
            {"run", "--config", "@a.conf"},
            {"run", "--", "--once"},
            {"run", "run"},
            {"run", "--log-level", "loud"},
            {"run", "--log-format", "xml"},
            {"run", "--config", "a\0.conf"},
            {"run", "--conf", "a.conf"},
            {"Run"},
        };
        for (String[] args : others) {
            assertThat(RunArguments.plain(args)).as(String.join(" ", args)).isNull();
        }
    }
}
