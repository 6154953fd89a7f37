package io.derpwatch.sinks.otlp;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry SDK's gRPC sender SPI on grpc-java (Netty transport): one {@link ManagedChannel} per
 * sender (or shared with a {@link #sibling} for another service on the same receiver), unary calls with
 * pass-through marshallers, no retry of its own. Call callbacks run on the channel's Netty thread
 * ({@code directExecutor}: they only complete a future), so no grpc-default-executor pool is started for them.
 */
final class GrpcJavaSender implements GrpcSender {
    private final ManagedChannel channel;
    private final MethodDescriptor<MessageWriter, byte[]> method;
    private final GrpcSenderConfig config;

    GrpcJavaSender(GrpcSenderConfig config) {
        this(config, channel(config));
    }

    private GrpcJavaSender(GrpcSenderConfig config, ManagedChannel channel) {
        this.config = config;
        this.channel = channel;
        this.method = MethodDescriptor.<MessageWriter, byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(config.getFullMethodName())
                .setRequestMarshaller(new WriterMarshaller())
                .setResponseMarshaller(new BytesMarshaller())
                .build();
    }

    /**
     * A sender for {@code other}'s method over this sender's channel (same receiver); shutting this sender
     * down closes both, shutting the sibling down does nothing of its own.
     */
    GrpcJavaSender sibling(GrpcSenderConfig other) {
        return new GrpcJavaSender(other, channel);
    }

    private static ManagedChannel channel(GrpcSenderConfig config) {
        URI endpoint = config.getEndpoint();
        boolean tls = "https".equals(endpoint.getScheme());
        int port = endpoint.getPort() != -1 ? endpoint.getPort() : tls ? 443 : 80;
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.getHost(), port)
                .disableRetry()
                .directExecutor()
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.getMaxResponseBodySize()))
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, config.getConnectTimeout().toMillis()));
        if (tls) {
            builder.sslContext(alpn(config.getSslContext()));
        } else {
            builder.usePlaintext();
        }
        return builder.build();
    }

    private static JdkSslContext alpn(SSLContext context) {
        SSLContext ssl = context;
        if (ssl == null) {
            try {
                ssl = SSLContext.getDefault();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context", e);
            }
        }
        return new JdkSslContext(
                ssl,
                true,
                null,
                IdentityCipherSuiteFilter.INSTANCE,
                new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2),
                ClientAuth.NONE,
                null,
                false);
    }

    @Override
    public void send(MessageWriter messageWriter, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        if (channel.getState(false) == io.grpc.ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff(); // the sink's queue paces retries, not grpc's reconnect backoff
        }
        Metadata metadata = new Metadata();
        for (Map.Entry<String, List<String>> h :
                config.getHeadersSupplier().get().entrySet()) {
            Metadata.Key<String> key = Metadata.Key.of(h.getKey(), Metadata.ASCII_STRING_MARSHALLER);
            h.getValue().forEach(v -> metadata.put(key, v));
        }
        Channel intercepted =
                ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata));
        CallOptions options =
                CallOptions.DEFAULT.withDeadlineAfter(config.getTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (config.getCompressor() != null) {
            options = options.withCompression(config.getCompressor().getEncoding());
        }
        try {
            ClientCalls.asyncUnaryCall(intercepted.newCall(method, options), messageWriter, new StreamObserver<>() {
                private byte[] body = new byte[0];

                @Override
                public void onNext(byte[] value) {
                    body = value;
                }

                @Override
                public void onError(Throwable t) {
                    Status status = Status.fromThrowable(t);
                    // a status the server sent has no cause; one with a cause is the transport's (e.g. an
                    // HTTP/1.1 server on the port, a reset connection): worth retrying whatever its code
                    onResponse.accept(new Response(
                            GrpcStatusCode.fromValue(status.getCode().value()),
                            describe(status),
                            new byte[0],
                            status.getCause() != null));
                }

                @Override
                public void onCompleted() {
                    onResponse.accept(new Response(GrpcStatusCode.OK, null, body, false));
                }
            });
        } catch (RuntimeException e) {
            onError.accept(e);
        }
    }

    /** The status with its cause's message, so a TLS failure says why (e.g. the certificate chain). */
    private static String describe(Status status) {
        StringBuilder sb = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            sb.append(": ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        while (cause != null) {
            if (cause.getMessage() != null && !sb.toString().contains(cause.getMessage())) {
                sb.append(" (")
                        .append(cause.getClass().getSimpleName())
                        .append(": ")
                        .append(cause.getMessage())
                        .append(')');
            }
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        return sb.toString();
    }

    @Override
    public CompletableResultCode shutdown() {
        // called after the last send (or after giving up on a hung one): nothing left worth waiting for
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
        return CompletableResultCode.ofSuccess();
    }

    /** A call's outcome; {@code transportFailure}: the status was made by the client's transport, not sent. */
    record Response(
            GrpcStatusCode getStatusCode,
            @Nullable String getStatusDescription,
            byte[] getResponseMessage,
            boolean transportFailure)
            implements GrpcResponse {}

    private static final class WriterMarshaller implements MethodDescriptor.Marshaller<MessageWriter> {
        @Override
        public InputStream stream(MessageWriter value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(value.getContentLength());
            try {
                value.writeMessage(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ByteArrayInputStream(out.toByteArray());
        }

        @Override
        public MessageWriter parse(InputStream stream) {
            throw new UnsupportedOperationException("client side only");
        }
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
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
    }
}
