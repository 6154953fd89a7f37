package io.derpwatch.agent.ipn;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.AgentClock;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.source.SourceException;
import io.derpwatch.agent.source.StreamContext;
import io.derpwatch.agent.state.StateStore;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated IPN-bus records (truncated, bytes flipped, invalid UTF-8, huge numbers, wrong types, deep
 * nesting, long strings) through the codec and the source's record handler, on a seeded {@link Random} so a
 * failure replays: nothing but the documented exception ever leaves them, every bad record is one counted
 * error, and a valid record right after each bad one is still read. A failing seed is printed in the message.
 */
public class IpnBusRecordFuzzTest {
    private static final long SEED = 0x1a2b3c4dL;
    private static final int ROUNDS = 3000;

    private static final List<String> SEEDS = List.of(
            "{\"Version\":\"1.102.1\",\"SessionID\":\"s\",\"State\":6}",
            "{\"Health\":{\"Warnings\":{\"no-derp-connection\":{\"WarnableCode\":\"no-derp-connection\","
                    + "\"Severity\":\"high\",\"Title\":\"Relay server unavailable\",\"Text\":\"could not connect\","
                    + "\"BrokenSince\":\"2026-12-01T10:00:00Z\",\"Args\":{\"RegionID\":\"3\",\"RegionName\":\"r3\"},"
                    + "\"ImpactsConnectivity\":true}}}}",
            "{\"Health\":{\"Warnings\":{}}}",
            "{\"SelfChange\":{\"HomeDERP\":7,\"Name\":\"x\"},\"NetMap\":null,\"Engine\":{\"RBytes\":12}}",
            "{\"ErrMessage\":\"IPN bus consumer fell behind; closing watch\"}",
            "{\"State\":\"Running\",\"Prefs\":{\"WantRunning\":true}}");

    private static final String VALID_HEALTH = "{\"Health\":{\"Warnings\":{\"network-status\":{\"WarnableCode\":"
            + "\"network-status\",\"Severity\":\"medium\",\"Title\":\"Network down\",\"Text\":\"down\"}}}}";
    private static final String HEALTHY = "{\"Health\":{\"Warnings\":{}}}";

    private EventLoopGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One random mutation of a seed record (public to the stream handler's fuzz test). */
    public static byte[] mutate(Random r) {
        byte[] seed = SEEDS.get(r.nextInt(SEEDS.size())).getBytes(StandardCharsets.UTF_8);
        return switch (r.nextInt(9)) {
            case 0 -> java.util.Arrays.copyOf(seed, r.nextInt(seed.length)); // truncated
            case 1 -> {
                byte[] b = seed.clone();
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256); // flipped bytes, invalid UTF-8 among them
                }
                yield b;
            }
            case 2 -> splice(seed, r, new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff, (byte) 0xfe}); // bad UTF-8
            case 3 ->
                replaceNumbers(
                        new String(seed, StandardCharsets.UTF_8),
                        List.of("1e999999", "-1e-999999", "123456789012345678901234567890", "NaN", "0x7f", "-0", "6.5")
                                .get(r.nextInt(7)));
            case 4 -> wrongTypes(new String(seed, StandardCharsets.UTF_8), r);
            case 5 -> {
                int depth = 10 + r.nextInt(5000);
                String open = r.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                yield ("{\"Health\":" + open.repeat(depth) + "1" + close.repeat(r.nextBoolean() ? depth : depth / 2)
                                + "}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 6 ->
                ("{\"Health\":{\"Warnings\":{\"x\":{\"Text\":\"" + "y".repeat(r.nextInt(200_000)) + "\"}}}}")
                        .getBytes(StandardCharsets.UTF_8);
            case 7 -> {
                byte[] b = new byte[r.nextInt(64)];
                r.nextBytes(b); // noise
                yield b;
            }
            default -> ("[" + new String(seed, StandardCharsets.UTF_8) + "]").getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] splice(byte[] seed, Random r, byte[] insert) {
        int at = r.nextInt(seed.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(seed, 0, at);
        out.write(insert, 0, insert.length);
        out.write(seed, at, seed.length - at);
        return out.toByteArray();
    }

    private static byte[] replaceNumbers(String s, String number) {
        return s.replaceAll(":(-?[0-9]+)", ":" + number).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] wrongTypes(String s, Random r) {
        String[] values = {"[]", "{}", "\"6\"", "true", "null", "[1,{\"a\":[]}]", "\"\"", "{\"Warnings\":7}"};
        String v = values[r.nextInt(values.length)];
        // every value of one kind (object, string or number) becomes v
        String out = switch (r.nextInt(3)) {
            case 0 -> s.replaceAll(":\\{[^{}]*\\}", ":" + v);
            case 1 -> s.replaceAll(":\"[^\"]*\"", ":" + v);
            default -> s.replaceAll(":-?[0-9]+", ":" + v);
        };
        return out.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void codec_onMutatedRecords_throwsOnlyItsOwnException() {
        IpnNotifyCodec codec = new IpnNotifyCodec();
        Random r = new Random(SEED);
        int errors = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] record = mutate(r);
            try {
                codec.parse(record);
            } catch (IpnNotifyException e) {
                errors++;
                assertThat(e.getMessage()).as("round %d, seed %x", i, SEED).isNotBlank();
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError(
                        "round " + i + " (seed " + Long.toHexString(SEED) + ") escaped the codec: "
                                + new String(record, 0, Math.min(record.length, 300), StandardCharsets.UTF_8),
                        e);
            }
        }
        assertThat(errors).as("the mutations include bad records").isGreaterThan(ROUNDS / 10);
    }

    @Test
    void handler_onMutatedRecords_countsEachBadOne_andReadsTheNextValidRecord() throws Exception {
        group = NettyTransport.detect().newGroup(1);
        StateStore state = new StateStore();
        IpnBusSource source = new IpnBusSource(
                new LocalApiClient(group, Path.of("/run/unused.sock"), Duration.ofSeconds(1), 1024),
                state,
                1024 * 1024,
                () -> CompletableFuture.completedFuture(null));
        List<SourceError> reported = new ArrayList<>();
        StreamContext context = new StreamContext() {
            @Override
            public void error(SourceError error) {
                reported.add(error);
            }

            @Override
            public AgentClock clock() {
                return AgentClock.system();
            }
        };
        Random r = new Random(SEED + 1);
        int bad = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] record = mutate(r);
            try {
                source.handle(record, context);
            } catch (SourceException e) {
                bad++;
                assertThat(e.error().type()).isEqualTo("bad_record");
            } catch (Throwable e) {
                throw new AssertionError(
                        "round " + i + " (seed " + Long.toHexString(SEED + 1) + ") escaped the handler: "
                                + new String(record, 0, Math.min(record.length, 300), StandardCharsets.UTF_8),
                        e);
            }
            // the next valid record is read whatever came before
            String next = i % 2 == 0 ? VALID_HEALTH : HEALTHY;
            source.handle(next.getBytes(StandardCharsets.UTF_8), context);
            assertThat(state.latest(HealthSnapshot.TOPIC)
                            .orElseThrow()
                            .warnings()
                            .containsKey("network-status"))
                    .as("round %d", i)
                    .isEqualTo(i % 2 == 0);
        }
        assertThat(bad).isGreaterThan(ROUNDS / 10);
        assertThat(reported).as("bad records are thrown, not reported twice").isEmpty();
    }
}
