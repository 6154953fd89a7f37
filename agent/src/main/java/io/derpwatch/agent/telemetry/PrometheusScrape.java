package io.derpwatch.agent.telemetry;

import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * One {@code /metrics} scrape: collects the agent's instruments through the {@link PrometheusReader} and writes
 * them in the Prometheus text format, or OpenMetrics when the scraper's {@code Accept} asks for it.
 */
public final class PrometheusScrape {
    /** A written exposition: its content type and body. */
    public record Exposition(String contentType, byte[] body) {}

    private final PrometheusReader reader;
    private final Resource resource;
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    PrometheusScrape(PrometheusReader reader, Resource resource) {
        this.reader = reader;
        this.resource = resource;
    }

    /** Collects now (on the calling thread) and writes the format {@code accept} asks for. */
    public Exposition scrape(@Nullable String accept) {
        MetricSnapshots snapshots = PrometheusCodec.snapshots(reader.collect(), resource);
        ExpositionFormatWriter writer = accept != null && openMetrics.accepts(accept) ? openMetrics : text;
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return new Exposition(writer.getContentType(), out.toByteArray());
    }
}
