package io.derpwatch.bench.sinks;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/gRPC endpoint on loopback that accepts {@code MetricsService/Export} and {@code LogsService/Export},
 * counts requests and bytes and answers with an empty response, without decoding: the benchmark measures the
 * client side, so the receiver does as little as possible and is the same for every variant.
 */
public final class CountingOtlpReceiver implements AutoCloseable {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private int port;
    private Server server;

    public void start() throws IOException {
        MethodDescriptor.Marshaller<byte[]> raw = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        // below the kernel's ephemeral range, so the port is still free when the receiver is restarted
        IOException last = null;
        for (int i = 0; i < 100; i++) {
            int candidate = port != 0
                    ? port
                    : java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try {
                server = build(candidate, raw).start();
                port = server.getPort();
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private Server build(int port, MethodDescriptor.Marshaller<byte[]> raw) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
        for (String service : new String[] {
            "opentelemetry.proto.collector.metrics.v1.MetricsService",
            "opentelemetry.proto.collector.logs.v1.LogsService"
        }) {
            MethodDescriptor<byte[], byte[]> export = MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Export"))
                    .setRequestMarshaller(raw)
                    .setResponseMarshaller(raw)
                    .build();
            builder.addService(ServerServiceDefinition.builder(service)
                    .addMethod(export, ServerCalls.asyncUnaryCall((request, response) -> {
                        requests.incrementAndGet();
                        bytes.addAndGet(request.length);
                        response.onNext(new byte[0]);
                        response.onCompleted();
                    }))
                    .build());
        }
        return builder.build();
    }

    void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server = null;
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public long requests() {
        return requests.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
