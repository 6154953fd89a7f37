package io.derpwatch.agent.ping;

import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiException;
import io.derpwatch.agent.localapi.LocalApiPaths;
import io.derpwatch.agent.peers.PeerStatusCodec;
import io.derpwatch.agent.peers.PeerStatusException;
import io.derpwatch.agent.source.PolledSource;
import io.derpwatch.agent.source.SampleContext;
import io.derpwatch.agent.source.SourceError;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.Attributes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pings each of {@code peers.ping.targets} through tailscaled ({@code POST /localapi/v0/ping}), at most
 * {@code concurrency} at once. Host names are looked up in the status with peers once per round (addresses
 * are used as given). A target that is not in the tailnet, that tailscaled answers with an error, or that
 * times out is a source error keyed by the target (so the runner throttles it: one clear event, no storm);
 * the round goes on with the others.
 */
public final class PingSource implements PolledSource<PingSnapshot> {
    static final String PING_PATH = "/localapi/v0/ping";

    private final LocalApiClient status;
    private final LocalApiClient pinger;
    private final long statusBodyCap;
    private final PingSettings settings;
    private final PingCodec codec = new PingCodec();

    /**
     * @param status        reads the status with peers (host-name lookup) under {@code statusBodyCap}
     * @param pinger        a client whose timeout is {@code peers.ping.timeout}
     */
    public PingSource(LocalApiClient status, long statusBodyCap, LocalApiClient pinger, PingSettings settings) {
        this.status = status;
        this.statusBodyCap = statusBodyCap;
        this.pinger = pinger;
        this.settings = settings;
    }

    @Override
    public String name() {
        return TelemetryNames.SOURCE_PING;
    }

    @Override
    public CompletableFuture<PingSnapshot> sample(SampleContext context) {
        Map<String, PingSnapshot.Pong> pongs = new ConcurrentHashMap<>();
        Map<String, PingSnapshot.Failure> failures = new ConcurrentHashMap<>();
        boolean needStatus = settings.targets().stream().anyMatch(t -> !literal(t));
        CompletableFuture<byte[]> statusBody = needStatus
                ? status.get(LocalApiPaths.STATUS_WITH_PEERS, statusBodyCap)
                        .handle((r, f) -> r == null ? new byte[0] : r.body())
                : CompletableFuture.completedFuture(new byte[0]);
        return statusBody.thenCompose(body -> {
            CompletableFuture<Void> round = CompletableFuture.completedFuture(null);
            List<String> targets = settings.targets();
            for (int from = 0; from < targets.size(); from += settings.concurrency()) {
                List<String> batch = targets.subList(from, Math.min(targets.size(), from + settings.concurrency()));
                round = round.thenCompose(v -> CompletableFuture.allOf(batch.stream()
                        .map(t -> one(t, body, context, pongs, failures))
                        .toArray(CompletableFuture[]::new)));
            }
            return round.thenApply(
                    v -> new PingSnapshot(pongs, failures, context.clock().wallTime()));
        });
    }

    private CompletableFuture<Void> one(
            String target,
            byte[] statusBody,
            SampleContext context,
            Map<String, PingSnapshot.Pong> pongs,
            Map<String, PingSnapshot.Failure> failures) {
        Failed failed = (type, message) -> {
            failures.put(target, new PingSnapshot.Failure(target, type, message));
            context.error(error(type, target, message));
        };
        Optional<String> ip;
        if (literal(target)) {
            ip = Optional.of(target);
        } else {
            try {
                ip = statusBody.length == 0 ? Optional.empty() : PeerStatusCodec.findAddress(statusBody, target);
            } catch (PeerStatusException e) {
                ip = Optional.empty();
            }
            if (ip.isEmpty()) {
                failed.failed(
                        "unknown_peer",
                        "ping target " + target + " is not a peer in this tailnet (or the peers could not be read)");
                return CompletableFuture.completedFuture(null);
            }
        }
        String query =
                PING_PATH + "?ip=" + URLEncoder.encode(ip.get(), StandardCharsets.UTF_8) + "&type=" + settings.type();
        return pinger.post(query).handle((response, failure) -> {
            try {
                PingResult r = codec.parse(LocalApiException.bodyOf(response, failure, pinger.socket()));
                if (!r.ok()) {
                    failed.failed("ping_failed", "ping " + target + ": " + r.err());
                } else {
                    pongs.put(target, new PingSnapshot.Pong(target, r.latency(), r.path()));
                }
            } catch (LocalApiException e) {
                failed.failed(e.kind().wireName(), "ping " + target + ": " + e.getMessage());
            } catch (PingException e) {
                failed.failed("malformed", "ping " + target + ": " + e.getMessage());
            }
            return null;
        });
    }

    @FunctionalInterface
    private interface Failed {
        void failed(String type, String message);
    }

    private static SourceError error(String type, String target, String message) {
        return new SourceError(type, type + ":" + target, message, Attributes.of(TelemetryNames.PEER_NAME, target));
    }

    private static boolean literal(String target) {
        return target.matches("[0-9.]+") || (target.contains(":") && target.matches("[0-9a-fA-F:]+"));
    }
}
