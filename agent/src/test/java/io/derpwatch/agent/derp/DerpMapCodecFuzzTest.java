package io.derpwatch.agent.derp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.derpwatch.config.LocalApiLimits;

/**
 * Fuzzes the DERP-map codec with small caps: any document parses to a map whose every node passed validation, or
 * fails with a {@link DerpMapException}, never another exception (no NullPointerException on nested JSON, no
 * IllegalArgumentException for a port out of range). Regression mode in CI (seeds in
 * {@code src/test/resources/.../DerpMapCodecFuzzTestInputs}: nested JSON, STUN port 70000, a CRLF host name, a
 * policy wrapper, too many regions); {@code JAZZER_FUZZ=1} to fuzz.
 */
class DerpMapCodecFuzzTest {
    private static final DerpMapCodec CODEC = new DerpMapCodec(new LocalApiLimits(16, 256, 8, 8, 8, 4));

    @FuzzTest(maxDuration = "60s")
    void parse_neverThrows(byte[] json) {
        try {
            DerpMap map = CODEC.parse(json);
            assertThat(map.regions()).hasSizeLessThanOrEqualTo(8);
            map.regions().values().forEach(r -> {
                assertThat(r.nodes()).hasSizeLessThanOrEqualTo(4);
                r.nodes().forEach(n -> {
                    assertThat(n.effectiveStunPort()).isBetween(-1, 65_535);
                    assertThat(n.hostName()).doesNotContain("\r", "\n", " ");
                });
            });
        } catch (DerpMapException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
