package io.derpwatch.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LogLineParserTest {
    private final LogLineParser utc = new LogLineParser(ZoneOffset.UTC, Instant.parse("2026-07-20T00:00:00Z"));

    @Test
    void goLogPrefix_isReadInTheGivenZone() {
        LogLine l = new LogLineParser(ZoneId.of("Europe/Paris"), Instant.EPOCH)
                .parse("2022/03/28 07:42:19 magicsock: derp-9 connected; connGen=1");
        assertThat(l.time()).isEqualTo(Instant.parse("2022-03-28T05:42:19Z"));
        assertThat(l.message()).isEqualTo("magicsock: derp-9 connected; connGen=1");
    }

    @Test
    void goLogPrefixWithMicroseconds_keepsThem() {
        assertThat(utc.parse("2022/03/28 07:42:19.123456 UAPI: Up").time())
                .isEqualTo(Instant.parse("2022-03-28T07:42:19.123456Z"));
    }

    @Test
    void goTimeStringPrefix_carriesItsOwnOffset() {
        LogLine l = utc.parse("2021-12-23 13:00:26.828410023 -0500 -0500: magicsock: home is now derp-1 (nyc)");
        assertThat(l.time()).isEqualTo(Instant.parse("2021-12-23T18:00:26.828410023Z"));
        assertThat(l.message()).isEqualTo("magicsock: home is now derp-1 (nyc)");
    }

    @Test
    void syslogPrefix_takesTheYearOfNow_orTheYearBefore() {
        LogLine l =
                utc.parse("Jun 29 16:13:42 cy-server tailscaled[2036029]: magicsock: SetPrivateKey called (zeroed)");
        assertThat(l.time()).isEqualTo(Instant.parse("2026-06-29T16:13:42Z"));
        assertThat(l.message()).isEqualTo("magicsock: SetPrivateKey called (zeroed)");
        assertThat(utc.parse("Dec 31 23:00:00 h tailscaled[1]: x").time())
                .isEqualTo(Instant.parse("2025-12-31T23:00:00Z"));
    }

    @Test
    void noPrefix_hasNoTime_andTheWholeLineIsTheMessage() {
        LogLine l = utc.parse("magicsock: home is now derp-10 (sea)\r\n");
        assertThat(l.time()).isNull();
        assertThat(l.message()).isEqualTo("magicsock: home is now derp-10 (sea)");
    }

    @Test
    void impossibleDate_isNotAPrefix() {
        LogLine l = utc.parse("2022/13/45 07:42:19 x");
        assertThat(l.time()).isNull();
        assertThat(l.message()).isEqualTo("2022/13/45 07:42:19 x");
    }
}
