package io.derpwatch.sinks.otlp;

import static io.derpwatch.sinks.testing.TestData.SEQ;
import static io.derpwatch.sinks.testing.TestData.metricBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.derpwatch.sinks.DropReason;
import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.runtime.SinkSet;
import io.derpwatch.sinks.testing.OtlpReceiver;
import io.derpwatch.sinks.testing.TestData;
import io.derpwatch.sinks.testing.TestSinks;
import io.grpc.Status;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpSinkTest {
    private OtlpReceiver receiver;
    private SinkSet sinks;

    @TempDir
    Path dir;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = OtlpReceiver.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (sinks != null) {
            sinks.shutdown(Duration.ofMillis(500));
        }
        receiver.close();
    }

    private SinkSet open(String protocol, String extra) {
        String endpoint = protocol.equals("grpc") ? receiver.grpcEndpoint() : receiver.httpEndpoint();
        sinks = TestSinks.open(TestSinks.settings(
                "otlp-test",
                "otlp",
                "protocol = \"" + protocol + "\"\n" + "endpoint = \"" + endpoint + "\"\n" + TestSinks.FAST_RETRY
                        + extra));
        return sinks;
    }

    private SinkStats stats() {
        return sinks.stats().get(0);
    }

    private static List<String> seqs(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    static void assertBalanced(SinkStats s) {
        assertThat(s.accepted() + s.recovered())
                .as("accepted + recovered == exported + dropped + queued: %s", s)
                .isEqualTo(s.exported() + s.droppedTotal() + s.queued());
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void delivers_metricsAndEvents_decodedByTheReceiver(String protocol) {
        open(protocol, "headers { x-tenant = \"team-a\" }\n");
        for (int i = 0; i < 5; i++) {
            assertThat(sinks.metricExporter().export(metricBatch(i)).isSuccess())
                    .isTrue();
        }
        SdkLoggerProvider logs = TestData.loggerProvider(sinks.logExporter());
        TestData.emitLog(logs, "event-0");
        TestData.emitLog(logs, "event-1");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.metrics().size() == 5 && receiver.logs().size() == 2);
        assertThat(receiver.metricPointAttribute(SEQ)).containsExactlyElementsOf(seqs(0, 5));
        assertThat(receiver.logBodies()).containsExactly("event-0", "event-1");
        assertThat(receiver.metrics().get(0).getResourceMetrics(0).getResource().getAttributesList())
                .anySatisfy(kv -> assertThat(kv.getKey()).isEqualTo("k8s.node.name"));
        assertThat(receiver.lastHeaders()).containsEntry("x-tenant", "team-a");
        await().until(() -> stats().exported() == 7);
        SinkStats s = stats();
        assertThat(s.accepted()).isEqualTo(7);
        assertThat(s.droppedTotal()).isZero();
        assertThat(s.failed()).isZero();
        assertBalanced(s);
        assertThat(sinks.shutdown(Duration.ofSeconds(5))).isTrue();
        sinks = null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void receiverDownForSeveralExportCycles_thenBack_everyBatchArrivesInOrderNoneDropped(String protocol)
            throws Exception {
        open(protocol, "");
        receiver.stopServers();
        for (int i = 0; i < 6; i++) {
            CompletableResultCode result = sinks.metricExporter().export(metricBatch(i));
            assertThat(result.isDone()).as("export returns to the SDK at once").isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().failed() >= 3);
        assertThat(receiver.metrics()).isEmpty();
        assertThat(stats().queued()).isEqualTo(6);
        receiver.startServers();

        await().atMost(Duration.ofSeconds(15)).until(() -> stats().queued() == 0);
        assertThat(receiver.metricPointAttribute(SEQ)).containsExactlyElementsOf(seqs(0, 6));
        SinkStats s = stats();
        assertThat(s.exported()).isEqualTo(6);
        assertThat(s.droppedTotal()).isZero();
        assertThat(s.retries()).isEqualTo(s.failed()).isGreaterThanOrEqualTo(3);
        assertBalanced(s);
    }

    @Test
    void queueFull_dropsTheOldest_andTheDroppedCounterEqualsWhatWasDropped() throws Exception {
        open("grpc", "queue { max-batches = 3 }\n");
        receiver.stopServers();
        for (int i = 0; i < 10; i++) {
            sinks.metricExporter().export(metricBatch(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats().queued() == 3);
        receiver.startServers();
        await().atMost(Duration.ofSeconds(15)).until(() -> stats().queued() == 0);

        assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("7", "8", "9");
        SinkStats s = stats();
        assertThat(s.dropped(DropReason.QUEUE_FULL)).isEqualTo(7);
        assertThat(s.droppedTotal()).isEqualTo(7);
        assertThat(s.exported()).isEqualTo(3);
        assertBalanced(s);
    }

    @Test
    void queueFull_withDropNewest_keepsTheOldest() throws Exception {
        open("http/protobuf", "queue { max-batches = 3, when-full = drop-newest }\n");
        receiver.stopServers();
        for (int i = 0; i < 10; i++) {
            sinks.metricExporter().export(metricBatch(i));
        }
        assertThat(stats().dropped(DropReason.QUEUE_FULL)).isEqualTo(7);
        receiver.startServers();
        await().atMost(Duration.ofSeconds(15)).until(() -> stats().queued() == 0);

        assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("0", "1", "2");
        assertThat(stats().exported()).isEqualTo(3);
        assertBalanced(stats());
    }

    @Test
    void queueByteBound_dropsTheOldest_andCountsExactly() throws Exception {
        open("grpc", "queue { max-bytes = 1KiB }\n");
        receiver.stopServers();
        for (int i = 0; i < 20; i++) {
            sinks.metricExporter().export(metricBatch(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats().queuedBytes() <= 1024);
        SinkStats full = stats();
        assertThat(full.queued()).isBetween(1L, 19L);
        assertThat(full.dropped(DropReason.QUEUE_FULL)).isEqualTo(20 - full.queued());
        receiver.startServers();
        await().atMost(Duration.ofSeconds(15)).until(() -> stats().queued() == 0);

        assertThat(receiver.metricPointAttribute(SEQ)).containsExactlyElementsOf(seqs((int) (20 - full.queued()), 20));
        assertThat(stats().exported()).isEqualTo(full.queued());
        assertBalanced(stats());
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void nonRetryableRefusal_dropsTheBatchAtOnce_withReasonRejected(String protocol) {
        open(protocol, "");
        receiver.failNext(1, Status.INVALID_ARGUMENT, 400);
        sinks.metricExporter().export(metricBatch(0));
        sinks.metricExporter().export(metricBatch(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().queued() == 0);

        assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("1");
        SinkStats s = stats();
        assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(1);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.retries()).isZero();
        assertThat(s.lastError()).contains(protocol.equals("grpc") ? "INVALID_ARGUMENT" : "HTTP 400");
        assertBalanced(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void retryableRefusal_isRetriedWithBackoff_untilDelivered(String protocol) {
        open(protocol, "");
        receiver.failNext(2, Status.RESOURCE_EXHAUSTED, 503);
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().exported() == 1);

        assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("0");
        SinkStats s = stats();
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.retries()).isEqualTo(2);
        assertThat(s.droppedTotal()).isZero();
        assertBalanced(s);
    }

    @Test
    void retriesPastMaxElapsed_dropTheBatch_withReasonRetryExhausted() throws Exception {
        sinks = TestSinks.open(TestSinks.settings(
                "otlp-test",
                "otlp",
                "endpoint = \"" + receiver.grpcEndpoint()
                        + "\"\nretry { initial = 20ms, max = 50ms, max-elapsed = 300ms }\n"));
        receiver.stopServers();
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().dropped(DropReason.RETRY_EXHAUSTED) == 1);
        assertThat(stats().queued()).isZero();
        assertBalanced(stats());
    }

    @Test
    void shutdownWithReceiverDown_countsWhatTheMemoryQueueHeldAsDropped() throws Exception {
        open("grpc", "");
        receiver.stopServers();
        for (int i = 0; i < 3; i++) {
            sinks.metricExporter().export(metricBatch(i));
        }
        assertThat(sinks.shutdown(Duration.ofMillis(300))).isFalse();
        SinkStats s = stats();
        assertThat(s.dropped(DropReason.SHUTDOWN)).isEqualTo(3);
        assertThat(s.queued()).isZero();
        assertBalanced(s);
        sinks = null;
    }

    @Test
    void persistentQueue_keepsWhatShutdownCouldNotDeliver_andTheNextRunDeliversIt() throws Exception {
        String persistent = "queue.persistent { enabled = true, directory = \"" + dir + "\" }\n";
        open("grpc", persistent);
        receiver.stopServers();
        for (int i = 0; i < 4; i++) {
            sinks.metricExporter().export(metricBatch(i));
        }
        assertThat(sinks.shutdown(Duration.ofMillis(300))).isFalse();
        SinkStats first = stats();
        assertThat(first.droppedTotal()).isZero();
        assertThat(first.queued()).isEqualTo(4);
        assertThat(dir.resolve("otlp-test.queue")).exists();

        receiver.startServers();
        open("grpc", persistent);
        sinks.metricExporter().export(metricBatch(4));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().queued() == 0);
        assertThat(receiver.metricPointAttribute(SEQ)).containsExactlyElementsOf(seqs(0, 5));
        SinkStats second = stats();
        assertThat(second.recovered()).isEqualTo(4);
        assertThat(second.accepted()).isEqualTo(1);
        assertThat(second.exported()).isEqualTo(5);
        assertBalanced(second);
    }

    @Test
    void persistentQueue_alreadyOpenElsewhere_refusesToOpen_withAClearError() {
        String persistent = "queue.persistent { enabled = true, directory = \"" + dir + "\" }\n";
        open("grpc", persistent);
        SinkSet first = sinks;
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> open("grpc", persistent))
                    .hasMessageContaining("in use by another derpwatch process");
        } finally {
            sinks = first;
        }
    }

    @Test
    void corruptPersistentQueueFile_isSetAsideAndReported_andTheSinkKeepsWorking() throws Exception {
        Files.write(dir.resolve("otlp-test.queue"), new byte[] {
            0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
            29, 30, 31, 32
        });
        open("grpc", "queue.persistent { enabled = true, directory = \"" + dir + "\" }\n");

        assertThat(stats().corruptQueueFiles()).isEqualTo(1);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anySatisfy(n -> assertThat(n).startsWith("otlp-test.queue.corrupt-"));
        }
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().exported() == 1);
        assertThat(receiver.metricPointAttribute(SEQ)).containsExactly("0");
    }
}
