package io.derpwatch.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.home.StatusFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The follower on real files in a temp dir, with a virtual clock for the partial-line flush. */
class LogFileFollowerTest {
    @TempDir
    Path dir;

    private final VirtualClock clock = new VirtualClock();
    private LogFileFollower follower;

    @AfterEach
    void close() throws IOException {
        if (follower != null) {
            follower.close();
        }
    }

    private LogFileFollower follow(Path file, boolean fromEnd) {
        return follow(file, fromEnd, 64);
    }

    private LogFileFollower follow(Path file, boolean fromEnd, int maxLine) {
        follower = new LogFileFollower(file, fromEnd, maxLine, 1 << 20, Duration.ofSeconds(1), clock);
        return follower;
    }

    private static void append(Path f, String text) throws IOException {
        Files.writeString(f, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void startsAtTheEndByDefault_thenReturnsWhatIsAppended() throws IOException {
        Path f = dir.resolve("tailscaled.log");
        append(f, "old line 1\nold line 2\n");
        LogFileFollower follower = follow(f, true);

        assertThat(follower.poll()).isEmpty();
        append(f, "2022/03/28 08:11:51 magicsock: home is now derp-12 (ord)\n");

        assertThat(follower.poll()).containsExactly("2022/03/28 08:11:51 magicsock: home is now derp-12 (ord)");
        assertThat(follower.poll()).isEmpty();
    }

    @Test
    void fromTheStart_readsTheRealFixture_andTheSignaturesMatchAsInTheFile() throws IOException {
        Path f = dir.resolve("tailscaled.log");
        Files.copy(StatusFixtures.tailscaleDir().resolve("logs-01.txt"), f);
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC, Instant.EPOCH);

        List<String> lines = follow(f, false, 16 * 1024).poll();

        assertThat(lines).hasSize(20);
        assertThat(lines.stream()
                        .filter(l -> LogSignatures.match(parser.parse(l)).isPresent()))
                .hasSize(13);
    }

    @Test
    void rotation_finishesTheOldFile_thenReadsTheNewOneFromItsStart() throws IOException {
        Path f = dir.resolve("tailscaled.log");
        append(f, "");
        LogFileFollower follower = follow(f, true);
        follower.poll();
        append(f, "last of old\n");
        Files.move(f, dir.resolve("tailscaled.log.1"));
        append(f, "first of new\n");

        assertThat(follower.poll()).containsExactly("last of old", "first of new");
        assertThat(follower.rotations()).isEqualTo(1);
    }

    @Test
    void aMissingFile_isNoLines_untilItAppears() throws IOException {
        Path f = dir.resolve("later.log");
        LogFileFollower follower = follow(f, true);

        assertThat(follower.poll()).isEmpty();
        append(f, "written after start\n");

        assertThat(follower.poll())
                .as("a file that appears later is read from its start")
                .containsExactly("written after start");
    }

    @Test
    void truncation_readsAgainFromTheStart() throws IOException {
        Path f = dir.resolve("tailscaled.log");
        append(f, "a long first line before the truncation\n");
        LogFileFollower follower = follow(f, false);
        assertThat(follower.poll()).hasSize(1);

        Files.writeString(f, "short\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);

        assertThat(follower.poll()).containsExactly("short");
        assertThat(follower.truncations()).isEqualTo(1);
    }

    @Test
    void aLineWithoutItsNewline_waitsForIt_orIsFlushedAfterQuietTime() throws IOException {
        Path f = dir.resolve("tailscaled.log");
        append(f, "");
        LogFileFollower follower = follow(f, true);
        follower.poll();
        append(f, "half a li");

        assertThat(follower.poll()).isEmpty();
        append(f, "ne\nand a tail");
        assertThat(follower.poll()).containsExactly("half a line");
        clock.advance(Duration.ofMillis(999));
        assertThat(follower.poll()).isEmpty();
        clock.advance(Duration.ofMillis(1));

        assertThat(follower.poll()).containsExactly("and a tail");
    }

    @Test
    void overlongLines_areCut_andCounted_crlfStripped() throws IOException {
        Path f = dir.resolve("tailscaled.log");
        append(f, "x".repeat(200) + "\nok\r\n");

        List<String> lines = follow(f, false).poll();

        assertThat(lines).containsExactly("x".repeat(64), "ok");
        assertThat(follower.linesCut()).isEqualTo(1);
    }

    private static final class VirtualClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
