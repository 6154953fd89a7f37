package io.derpwatch.agent.peers;

import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.source.SourceException;
import io.derpwatch.agent.telemetry.TelemetryNames;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code /localapi/v0/usermetrics} (Prometheus text) into a {@link UserMetricsSnapshot}. A daemon without
 * the endpoint (404, before 1.78) is said once in the log and yields an empty, {@code absent} snapshot from
 * then on, not an error on every read. Lines the codec cannot read are counted in one source error per read.
 */
public final class UserMetricsSource implements PolledSource<UserMetricsSnapshot> {
    private static final Logger LOG = LoggerFactory.getLogger(UserMetricsSource.class);

    private final LocalApiClient client;
    private final UserMetricsCodec codec = new UserMetricsCodec();
    // confined to the event loop
    private boolean absentSaid;

    public UserMetricsSource(LocalApiClient client) {
        this.client = client;
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_USER_METRICS;
    }

    @Override
    public CompletableFuture<UserMetricsSnapshot> sample(SampleContext context) {
        return client.get(LocalApiPaths.USER_METRICS).handle((response, failure) -> {
            try {
                byte[] body = LocalApiException.bodyOf(response, failure, client.socket());
                absentSaid = false;
                UserMetricsCodec.Result result = codec.parse(body);
                if (result.rejected() > 0) {
                    context.error(SourceError.of(
                            "malformed",
                            result.rejected() + " usermetrics line(s) skipped; first: " + result.firstProblem()));
                }
                return new UserMetricsSnapshot(
                        result.points(), false, context.clock().wallTime());
            } catch (LocalApiException e) {
                if (notFound(e)) {
                    if (!absentSaid) {
                        absentSaid = true;
                        LOG.warn(
                                "tailscaled has no {} (older than 1.78?): its client metrics are not forwarded",
                                LocalApiPaths.USER_METRICS);
                    }
                    return new UserMetricsSnapshot(
                            List.of(), true, context.clock().wallTime());
                }
                throw new CompletionException(new SourceException(e.sourceError(LocalApiPaths.USER_METRICS)));
            }
        });
    }

    private static boolean notFound(LocalApiException e) {
        return e.kind() == LocalApiException.Kind.HTTP_STATUS && e.httpStatus() == 404;
    }
}
