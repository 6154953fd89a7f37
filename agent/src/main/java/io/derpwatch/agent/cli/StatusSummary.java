package io.derpwatch.agent.cli;

import io.derpwatch.agent.view.AgentView;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * {@code derpwatch status} as text, in the spirit of {@code tailscale status}: the home DERP line, the netcheck
 * flags, a region latency table sorted by latency (preferred and home marked), peer path counts, health warnings
 * and insights, sink health. Takes the {@link AgentView} snapshot (from a running agent or a one-shot sample);
 * colour only when asked (a TTY).
 */
final class StatusSummary {
    private static final String RESET = "\u001b[0m";
    private static final String GREEN = "\u001b[32m";
    private static final String RED = "\u001b[31m";
    private static final String YELLOW = "\u001b[33m";
    private static final String DIM = "\u001b[2m";

    private final boolean colour;

    StatusSummary(boolean colour) {
        this.colour = colour;
    }

    /**
     * @param origin where the view came from: the agent's address, or the LocalAPI socket of a one-shot sample
     */
    void print(AgentView v, String origin, PrintStream out) {
        AgentView.Home h = v.home();
        if (v.source().equals("agent")) {
            out.printf("%-12s %s%n", "agent:", origin + " (derpwatch " + v.agentVersion() + ")");
        } else {
            out.printf("%-12s %s%n", "LocalAPI:", origin);
        }
        if (h.tailscaledVersion() != null || h.backendState() != null) {
            out.printf(
                    "%-12s %s (%s)%n",
                    "tailscaled:",
                    h.tailscaledVersion() == null ? "version unknown" : h.tailscaledVersion(),
                    h.backendState() == null ? "no BackendState" : h.backendState());
        }
        String watch = watchLine(h, v.source());
        if (watch != null) {
            out.printf("%-12s %s%n", "watch:", watch);
        }
        out.printf("%-12s %s%n", "home DERP:", homeRegion(h));
        String verdict = h.connected() ? paint(GREEN, "connected") : paint(RED, "NOT connected");
        out.printf("%-12s %s (home_connection=%d, reason %s)%n", "connection:", verdict, h.value(), h.reason());
        if (h.warning() != null) {
            out.printf("%-12s %s%n", "warning:", h.warning());
        }
        if (h.error() != null) {
            out.printf("%-12s %s%n", "error:", h.error());
        }
        AgentView.Netcheck n = v.netcheck();
        if (n != null) {
            out.printf(
                    "%-12s UDP %s, IPv4 %s, IPv6 %s, hard NAT %s%n",
                    "netcheck:",
                    flag(n.udp(), true),
                    flag(n.ipv4(), true),
                    flag(n.ipv6(), true),
                    n.mappingVariesByDestIp() == null ? "unknown" : flag(n.mappingVariesByDestIp(), false));
        }
        if (!v.health().isEmpty()) {
            out.printf("%-12s %d warning(s)%n", "health:", v.health().size());
            for (String w : v.health()) {
                out.printf("%-12s - %s%n", "", paint(YELLOW, w));
            }
        }
        for (AgentView.Insight i : v.insights()) {
            out.printf("%-12s %s %s: %s%n", "insight:", i.severity(), i.name(), i.text());
        }
        AgentView.Peers p = v.peers();
        if (p != null) {
            out.printf(
                    "%-12s direct %d, derp %d, peer_relay %d, idle %d%n",
                    "peers:", p.direct(), p.derp(), p.peerRelay(), p.idle());
        }
        printRegions(v.regions(), out);
        printSinks(v.sinks(), out);
    }

    private void printRegions(List<AgentView.Region> regions, PrintStream out) {
        if (regions.isEmpty()) {
            return;
        }
        List<AgentView.Region> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparing((AgentView.Region r) -> r.latencyMs() == null)
                .thenComparing(r -> r.latencyMs() == null ? 0 : r.latencyMs())
                .thenComparingInt(AgentView.Region::id));
        int codeWidth = Math.max(
                6, sorted.stream().mapToInt(r -> r.code().length()).max().orElse(0));
        int nameWidth = Math.max(
                4, sorted.stream().mapToInt(r -> r.name().length()).max().orElse(0));
        out.println();
        out.printf("  %-" + codeWidth + "s  %4s  %-" + nameWidth + "s  %10s%n", "REGION", "ID", "NAME", "LATENCY");
        for (AgentView.Region r : sorted) {
            String marks = (r.preferred() ? " preferred" : "") + (r.home() ? " home" : "");
            String latency = r.latencyMs() == null ? "-" : String.format("%.1f ms", r.latencyMs());
            String line = String.format(
                    "%s %-" + codeWidth + "s  %4d  %-" + nameWidth + "s  %10s%s",
                    r.preferred() ? "*" : " ",
                    r.code(),
                    r.id(),
                    r.name(),
                    latency,
                    marks);
            out.println(r.latencyMs() == null ? paint(DIM, line) : line);
        }
    }

    private void printSinks(List<AgentView.Sink> sinks, PrintStream out) {
        if (sinks.isEmpty()) {
            return;
        }
        out.println();
        for (AgentView.Sink s : sinks) {
            String dropped = s.dropped().isEmpty()
                    ? "none"
                    : s.dropped().entrySet().stream()
                            .map((Map.Entry<String, Long> e) -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", "));
            out.printf(
                    "%-12s queued %d, exported %d, failed %d, dropped %s%s%n",
                    "sink " + s.name() + ":",
                    s.queued(),
                    s.exported(),
                    s.failed(),
                    s.dropped().isEmpty() ? dropped : paint(RED, dropped),
                    s.lastError() == null ? "" : ", last error: " + s.lastError());
        }
    }

    /**
     * How tailscaled is read: the running agent's IPN-bus mode and why, or, for a one-shot sample, what an agent
     * would do with this daemon's version (the bus from 1.70, which brought structured health).
     */
    private static @Nullable String watchLine(AgentView.Home h, String source) {
        if (h.mode() != null) {
            return h.mode() + " (" + h.modeReason() + ")" + (h.modeDetail() == null ? "" : ": " + h.modeDetail());
        }
        if (source.equals("agent") || h.tailscaledVersion() == null) {
            return null;
        }
        return io.derpwatch.agent.ipn.WatchMask.structuredHealth(h.tailscaledVersion())
                ? "one-shot sample; an agent would watch this tailscaled's IPN bus (1.70+: structured health)"
                : "one-shot sample; an agent would poll /status: tailscaled " + h.tailscaledVersion()
                        + " is before 1.70 (no structured health on the IPN bus)";
    }

    private static String homeRegion(AgentView.Home h) {
        if (h.regionCode() == null) {
            return "none";
        }
        if (h.regionId() == null) {
            return h.regionCode();
        }
        return h.regionCode() + " (" + h.regionId() + (h.regionName() == null ? "" : ", " + h.regionName()) + ")";
    }

    private String flag(@Nullable Boolean value, boolean goodWhen) {
        if (value == null) {
            return "unknown";
        }
        String text = value ? "yes" : "no";
        return paint(value == goodWhen ? GREEN : RED, text);
    }

    private String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }
}
