package io.derpwatch.agent.view;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything the status page shows, as {@code /api/state} serves it (schema:
 * {@code docs/status-page.schema.json}, described in {@code docs/status-page.md}). Times are ISO-8601 UTC,
 * latencies milliseconds. Holds no secrets and no public addresses.
 *
 * @param source   {@code agent} (a running agent's view) or {@code sample} (a one-shot sample)
 * @param netcheck the latest netcheck report, null before the first (or with netcheck off)
 * @param regions  every region of the latest DERP map, with its latest latency
 * @param history  the last netcheck reports, oldest first
 * @param peers    path counts, null when the status had no peers
 * @param insights active insights (none yet in this version: the list is always there)
 */
public record AgentView(
        int schemaVersion,
        String generatedAt,
        String agentVersion,
        String source,
        Home home,
        @Nullable Netcheck netcheck,
        List<Region> regions,
        List<Report> history,
        @Nullable Peers peers,
        List<String> health,
        List<Event> events,
        List<Insight> insights,
        List<Sink> sinks) {

    public static final int SCHEMA_VERSION = 1;

    /**
     * The home DERP connection: {@code value} is {@code tailscale.derp.home_connection}.
     *
     * @param sampledAt null before the first status sample
     */
    public record Home(
            boolean connected,
            int value,
            String reason,
            @Nullable String regionCode,
            @Nullable Integer regionId,
            @Nullable String regionName,
            @Nullable String warning,
            @Nullable String backendState,
            @Nullable String tailscaledVersion,
            @Nullable String error,
            @Nullable String sampledAt,
            @Nullable String mode,
            @Nullable String modeReason,
            @Nullable String modeDetail) {

        /** A view without the watch mode (a one-shot sample, or an older agent's document). */
        public Home(
                boolean connected,
                int value,
                String reason,
                @Nullable String regionCode,
                @Nullable Integer regionId,
                @Nullable String regionName,
                @Nullable String warning,
                @Nullable String backendState,
                @Nullable String tailscaledVersion,
                @Nullable String error,
                @Nullable String sampledAt) {
            this(
                    connected,
                    value,
                    reason,
                    regionCode,
                    regionId,
                    regionName,
                    warning,
                    backendState,
                    tailscaledVersion,
                    error,
                    sampledAt,
                    null,
                    null,
                    null);
        }

        /** This view with the IPN-bus source's mode. */
        public Home withMode(@Nullable String mode, @Nullable String modeReason, @Nullable String modeDetail) {
            return new Home(
                    connected,
                    value,
                    reason,
                    regionCode,
                    regionId,
                    regionName,
                    warning,
                    backendState,
                    tailscaledVersion,
                    error,
                    sampledAt,
                    mode,
                    modeReason,
                    modeDetail);
        }
    }

    /** The latest netcheck report's flags (hard NAT = {@code mappingVariesByDestIp}). */
    public record Netcheck(
            String at,
            double durationMs,
            boolean udp,
            boolean ipv4,
            boolean ipv6,
            @Nullable Boolean mappingVariesByDestIp,
            @Nullable Boolean captivePortal,
            int preferredRegionId) {}

    /** One DERP region; {@code latencyMs} null when it did not answer the latest report. */
    public record Region(
            int id, String code, String name, @Nullable Double latencyMs, boolean preferred, boolean home) {}

    /**
     * One netcheck report in the history.
     *
     * @param latencyMs  best latency per answering region id
     * @param unanswered probed region ids that did not answer
     */
    public record Report(String at, int preferredRegionId, Map<String, Double> latencyMs, List<Integer> unanswered) {}

    /** Peer counts by path. */
    public record Peers(int direct, int derp, int peerRelay, int idle) {}

    /** One event the agent emitted ({@code name} is its {@code event.name}). */
    public record Event(String at, String name, String severity, String body) {}

    /** An active insight (filled once the insights land). */
    public record Insight(String name, String severity, String text) {}

    /** One sink's delivery health; counts are batches. */
    public record Sink(
            String name,
            long queued,
            long exported,
            long failed,
            long retries,
            Map<String, Long> dropped,
            @Nullable String lastError) {}
}
