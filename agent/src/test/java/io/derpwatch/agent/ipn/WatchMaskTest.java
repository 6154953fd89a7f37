package io.derpwatch.agent.ipn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WatchMaskTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "1.62.1, 2",
        "1.68.2-t1-g2, 2",
        "1.70.0, 130",
        "1.76.6, 130",
        "1.78.1, 386",
        "1.98.4-t9e69045b2-ged3a62f14, 386",
        "1.100.0, 8322",
        "1.102.3, 8322",
        "2.0.0, 8322",
        "'', 130",
        "garbage, 130"
    })
    void mask_followsTheBitsEachVersionKnows_neverTheNetmap(String version, long mask) {
        assertThat(WatchMask.forVersion(version)).isEqualTo(mask);
        assertThat(mask & WatchMask.NOTIFY_INITIAL_NETMAP).isZero();
        assertThat(WatchMask.path(version)).isEqualTo("/localapi/v0/watch-ipn-bus?mask=" + mask);
    }

    @ParameterizedTest
    @CsvSource({"1.100.0", "1.102.3"})
    void newDaemons_neverGetRateLimitWithNoNetMap_which102Rejects(String version) {
        long mask = WatchMask.forVersion(version);
        assertThat(mask & WatchMask.NOTIFY_RATE_LIMIT).isZero();
        assertThat(mask & WatchMask.NOTIFY_NO_NETMAP).isNotZero();
    }
}
