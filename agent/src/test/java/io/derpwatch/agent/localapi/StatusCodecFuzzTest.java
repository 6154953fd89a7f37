package io.derpwatch.agent.localapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.derpwatch.config.LocalApiLimits;
import java.nio.file.Path;

/**
 * Fuzzes the status codec with small caps (so the fuzzer reaches them): any body parses to a status or fails with
 * a {@link LocalApiException} of kind {@code malformed_json} or {@code limit_exceeded}, never another exception.
 * Regression mode in CI (the seeds in {@code src/test/resources/.../StatusCodecFuzzTestInputs}: deep nesting, a
 * long string, too many health entries and peers); {@code JAZZER_FUZZ=1} to fuzz.
 */
class StatusCodecFuzzTest {
    private static final StatusCodec CODEC = new StatusCodec(new LocalApiLimits(16, 256, 8, 8, 8, 4));
    private static final Path SOCKET = Path.of("/run/fuzz.sock");

    @FuzzTest(maxDuration = "60s")
    void parse_neverThrows(byte[] body) {
        try {
            NodeStatus status = CODEC.parse(body, SOCKET);
            assertThat(status.health()).hasSizeLessThanOrEqualTo(8);
            assertThat(status.selfRelay()).hasSizeLessThanOrEqualTo(256);
        } catch (LocalApiException e) {
            assertThat(e.kind()).isIn(LocalApiException.Kind.MALFORMED_JSON, LocalApiException.Kind.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
