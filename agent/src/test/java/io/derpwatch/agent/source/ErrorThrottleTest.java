package io.derpwatch.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ErrorThrottleTest {
    private final AtomicLong now = new AtomicLong();
    private final ErrorThrottle throttle = new ErrorThrottle(Duration.ofMinutes(5), now::get);

    @Test
    void firstError_isReported_repeatsAreHeldBack() {
        assertThat(throttle.onError("timeout /status")).isEqualTo(OptionalLong.of(0));
        assertThat(throttle.onError("timeout /status")).isEmpty();
        assertThat(throttle.onError("timeout /status")).isEmpty();
    }

    @Test
    void sameError_isReportedAgainAfterTheInterval_withHowManyWereHeldBack() {
        throttle.onError("timeout /status");
        throttle.onError("timeout /status");
        throttle.onError("timeout /status");
        now.addAndGet(Duration.ofMinutes(5).toNanos());

        assertThat(throttle.onError("timeout /status")).isEqualTo(OptionalLong.of(2));
        assertThat(throttle.onError("timeout /status")).isEmpty();
    }

    @Test
    void differentError_isReportedAtOnce() {
        throttle.onError("timeout /status");

        assertThat(throttle.onError("socket_missing /status")).isEqualTo(OptionalLong.of(0));
    }

    @Test
    void success_endsTheRun() {
        throttle.onError("timeout /status");
        throttle.onSuccess();

        assertThat(throttle.onError("timeout /status")).isEqualTo(OptionalLong.of(0));
    }
}
