package io.derpwatch.sinks.otlp;

import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;

/**
 * Registers {@link GrpcJavaSender} with the SDK (META-INF/services), so an {@code OtlpGrpc*Exporter} built
 * anywhere in the process sends through grpc-java. It is the only gRPC sender provider on derpwatch's class path,
 * so no {@code -Dio.opentelemetry.sdk.common.export.GrpcSenderProvider} is needed.
 */
public final class GrpcJavaSenderProvider implements GrpcSenderProvider {
    @Override
    public GrpcSender createSender(GrpcSenderConfig config) {
        return new GrpcJavaSender(config);
    }
}
