package io.derpwatch.agent.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class StderrLoggingTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Instant now = Instant.parse("2026-12-01T10:00:00Z");

    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @BeforeEach
    void capture() {
        StderrLogging.reset();
        StderrLogging.redirect(new PrintStream(out, true, StandardCharsets.UTF_8), clock);
    }

    @AfterEach
    void restore() {
        StderrLogging.reset();
        StderrLogging.redirect(System.err, Clock.systemUTC());
    }

    private List<String> lines() {
        String s = out.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\\R"));
    }

    @Test
    void slf4j_bindsToTheAgentsBackend() {
        assertThat(LoggerFactory.getILoggerFactory().getClass().getName()).startsWith("io.derpwatch.agent.log.");
    }

    @Test
    void ownLoggers_followTheChosenLevel() {
        Logger log = LoggerFactory.getLogger("io.derpwatch.agent.SomeSource");
        log.debug("hidden at info");
        log.info("sample {} done", 3);
        StderrLogging.chooseLevel(Level.DEBUG);
        log.debug("shown at debug");
        assertThat(lines()).hasSize(2);
        assertThat(lines().get(0)).contains(" INFO SomeSource - sample 3 done");
        assertThat(lines().get(1)).contains(" DEBUG SomeSource - shown at debug");
    }

    @Test
    void thirdPartyLoggers_neverLogBelowWarn_evenAtDebug() {
        StderrLogging.chooseLevel(Level.DEBUG);
        Logger kafka = LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
        kafka.info("Node -1 disconnected.");
        kafka.debug("details");
        assertThat(lines()).isEmpty();
        assertThat(kafka.isInfoEnabled()).isFalse();
        assertThat(kafka.isWarnEnabled()).isTrue();
    }

    @Test
    void repeatedThirdPartyLines_areWrittenOncePerRepeatInterval_withTheSuppressedCount() {
        Logger kafka = LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
        for (int i = 0; i < 44; i++) {
            kafka.warn("Connection to node {} could not be established.", -1);
            now = now.plusMillis(450);
        }
        kafka.warn("Bootstrap broker {} disconnected", "127.0.0.1:9092");
        assertThat(lines()).hasSize(2);
        now = now.plus(StderrLogging.THIRD_PARTY_REPEAT);
        kafka.warn("Connection to node {} could not be established.", -1);
        assertThat(lines()).hasSize(3);
        assertThat(lines().get(2)).endsWith("(43 similar lines suppressed)");
    }

    @Test
    void ownWarnings_areNotThrottledHere() {
        Logger log = LoggerFactory.getLogger("io.derpwatch.sinks.otlp.OtlpSink");
        for (int i = 0; i < 5; i++) {
            log.warn("batch {} failed", i);
        }
        assertThat(lines()).hasSize(5);
    }

    @Test
    void jsonFormat_writesOneObjectPerLine_withTheError() throws Exception {
        StderrLogging.chooseFormat(LogFormat.JSON);
        Logger log = LoggerFactory.getLogger("io.derpwatch.agent.Agent");
        log.warn("sink \"{}\" failed", "otlp", new IllegalStateException("boom\nsecond line"));
        assertThat(lines()).hasSizeGreaterThan(0);
        JsonNode json = new ObjectMapper().readTree(lines().get(0));
        assertThat(lines()).hasSize(1);
        assertThat(json.get("time").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(json.get("level").asText()).isEqualTo("WARN");
        assertThat(json.get("logger").asText()).isEqualTo("io.derpwatch.agent.Agent");
        assertThat(json.get("message").asText()).isEqualTo("sink \"otlp\" failed");
        assertThat(json.get("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(json.get("error.stack").asText()).contains("boom");
    }

    @Test
    void configFile_yieldsToTheCommandLine() {
        StderrLogging.chooseLevel(Level.WARN);
        StderrLogging.configure(Level.DEBUG, LogFormat.JSON);
        assertThat(StderrLogging.level()).isEqualTo(Level.WARN);
        assertThat(StderrLogging.format()).isEqualTo(LogFormat.JSON);
    }

    @Test
    void levelNames_areParsedAsUsersWriteThem_andBadOnesSayWhatIsExpected() {
        assertThat(LogLevel.parse("Warning")).isEqualTo(Level.WARN);
        assertThat(LogLevel.parse(" debug ")).isEqualTo(Level.DEBUG);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogLevel.parse("loud"))
                .hasMessageContaining("expected one of trace, debug, info, warn, error");
        assertThat(Duration.ofMinutes(5)).isEqualTo(StderrLogging.THIRD_PARTY_REPEAT);
    }
}
