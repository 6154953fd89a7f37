package io.derpwatch.sinks.otlp;

import static io.derpwatch.sinks.testing.TestData.metricBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.derpwatch.sinks.SinkStats;
import io.derpwatch.sinks.runtime.SinkSet;
import io.derpwatch.sinks.testing.TestSinks;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Receivers that misbehave (issue 9): one that speaks HTTP/1.1 on the gRPC port, one that never answers. */
class OtlpFaultyReceiverTest {
    private SinkSet sinks;
    private HttpServer http;
    private Server grpc;

    @AfterEach
    void stop() {
        if (sinks != null) {
            sinks.shutdown(Duration.ofMillis(200));
        }
        if (http != null) {
            http.stop(0);
        }
        if (grpc != null) {
            grpc.shutdownNow();
        }
    }

    @Test
    void grpcEndpointSpeakingHttp11_isRetried_notDroppedAtOnce_andTheErrorSaysSo() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "not a gRPC server".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        sinks = TestSinks.open(TestSinks.settings(
                "h1",
                "otlp",
                "protocol = grpc\nendpoint = \"http://127.0.0.1:"
                        + http.getAddress().getPort() + "\"\n" + TestSinks.FAST_RETRY));

        sinks.metricExporter().export(metricBatch(0));

        await().atMost(Duration.ofSeconds(20)).until(() -> sinks.stats().get(0).failed() >= 3);
        SinkStats s = sinks.stats().get(0);
        assertThat(s.droppedTotal()).isZero();
        assertThat(s.queued()).isEqualTo(1);
        assertThat(s.retries()).isPositive();
        assertThat(s.lastError()).isNotBlank();
    }

    @Test
    void shutdown_withAHungGrpcReceiver_endsWithinTheTimeoutPlusTheStopGrace() throws Exception {
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(
                            ExportMetricsServiceRequest request,
                            StreamObserver<ExportMetricsServiceResponse> responseObserver) {
                        // hung: never answers
                    }
                })
                .build()
                .start();
        sinks = TestSinks.open(TestSinks.settings(
                "hung",
                "otlp",
                "protocol = grpc\nendpoint = \"http://127.0.0.1:" + grpc.getPort() + "\"\ntimeout = 30s\n"));
        sinks.metricExporter().export(metricBatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> sinks.stats().get(0).queued() == 1);
        Duration timeout = Duration.ofSeconds(1);

        CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> sinks.shutdown(timeout));

        // a deadline, not a speed measurement: 30 s of OTLP timeout must not keep the agent from stopping
        Boolean drained = await().atMost(timeout.plus(SinkSet.STOP_GRACE).plusSeconds(3))
                .until(() -> shutdown.getNow(null), d -> d != null);
        sinks = null;
        assertThat(drained).isFalse();
    }
}
