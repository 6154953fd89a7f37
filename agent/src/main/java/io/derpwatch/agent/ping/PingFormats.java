package io.derpwatch.agent.ping;

import java.time.Duration;

/** {@code tailscale ping}'s output lines, which {@code derpwatch ping} prints the same way. */
public final class PingFormats {
    private PingFormats() {}

    /**
     * {@code pong from my-mobile-device (100.101.102.103) via DERP(lhr) in 335ms}, {@code ... via
     * 203.0.113.7:41641 in 12ms}, {@code ... via peer-relay(ip:port:vni:N) in 20ms}; tailscaled's error text
     * when the ping failed; {@code verbose} adds derpwatch's path classification.
     */
    public static String line(PingResult r, boolean verbose) {
        if (!r.ok()) {
            return r.err();
        }
        if (r.localIp()) {
            return "is local Tailscale IP";
        }
        String via;
        if (!r.endpoint().isEmpty()) {
            via = r.endpoint();
        } else if (!r.peerRelay().isEmpty()) {
            via = "peer-relay(" + r.peerRelay() + ")";
        } else {
            via = "DERP(" + r.derpRegionCode() + ")";
        }
        String name = r.nodeName().isEmpty() ? r.ip() : r.nodeName();
        String line = "pong from " + name + " (" + (r.nodeIp().isEmpty() ? r.ip() : r.nodeIp()) + ") via " + via
                + " in " + goMillis(r.latency());
        if (verbose) {
            line += "  [path=" + r.path().describe() + (r.derpRegionId() != 0 ? " region-id=" + r.derpRegionId() : "")
                    + "]";
        }
        return line;
    }

    /** Go's {@code Duration.Round(time.Millisecond).String()}: {@code 0s}, {@code 335ms}, {@code 1.234s}. */
    static String goMillis(Duration d) {
        long ms = Math.round(d.toNanos() / 1e6);
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        long rest = ms % 1000;
        String frac = rest == 0 ? "" : ("." + String.format("%03d", rest)).replaceAll("0+$", "");
        if (s < 60) {
            return s + frac + "s";
        }
        return (s / 60) + "m" + (s % 60) + frac + "s";
    }
}
