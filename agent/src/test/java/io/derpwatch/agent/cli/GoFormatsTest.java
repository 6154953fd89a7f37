package io.derpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Values as Go prints them: durations, RFC 3339 with nanoseconds, {@code netip.AddrPort}. */
class GoFormatsTest {
    @Test
    void goDuration_printsLikeGo() {
        assertThat(GoFormats.goDuration(0)).isEqualTo("0s");
        assertThat(GoFormats.goDuration(850_000)).isEqualTo("850µs");
        assertThat(GoFormats.goDuration(12_600_000)).isEqualTo("12.6ms");
        assertThat(GoFormats.goDuration(124_000_000)).isEqualTo("124ms");
        assertThat(GoFormats.goDuration(1_500_000_000)).isEqualTo("1.5s");
        assertThat(GoFormats.goDuration(61_250_000_000L)).isEqualTo("1m1.25s");
        assertThat(GoFormats.round(12_649_999, 100_000)).isEqualTo(12_600_000);
        assertThat(GoFormats.round(12_650_000, 100_000)).isEqualTo(12_700_000);
    }

    @Test
    void rfc3339Nano_dropsTrailingZeros_andTheFractionWhenWhole() {
        assertThat(GoFormats.rfc3339Nano(Instant.parse("2026-12-01T12:00:00Z"))).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(GoFormats.rfc3339Nano(Instant.parse("2026-12-01T12:00:00.120Z")))
                .isEqualTo("2026-12-01T12:00:00.12Z");
    }

    @Test
    void hostPort_bracketsIpv6_inItsShortForm() {
        assertThat(GoFormats.hostPort(new InetSocketAddress("198.51.100.7", 41641)))
                .isEqualTo("198.51.100.7:41641");
        assertThat(GoFormats.hostPort(new InetSocketAddress("2001:db8:0:0:0:0:0:7", 41642)))
                .isEqualTo("[2001:db8::7]:41642");
    }
}
