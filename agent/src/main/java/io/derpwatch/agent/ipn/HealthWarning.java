package io.derpwatch.agent.ipn;

import java.util.Map;
import java.util.Objects;

/**
 * One active warning of tailscaled's health state ({@code health.UnhealthyState}, 1.70+).
 *
 * @param code                the warnable code ({@code no-derp-connection}, {@code network-status}, ...)
 * @param severity            {@code high}, {@code medium} or {@code low} (as sent; empty when absent)
 * @param args                the warnable's arguments ({@code RegionID}, {@code RegionName}, ...)
 * @param brokenSince         RFC 3339 time it broke, empty when not sent
 */
public record HealthWarning(
        String code,
        String severity,
        String title,
        String text,
        boolean impactsConnectivity,
        Map<String, String> args,
        String brokenSince) {

    public HealthWarning {
        Objects.requireNonNull(code);
        args = Map.copyOf(args);
    }

    /** Same warning as far as an event is concerned (BrokenSince aside). */
    boolean sameAs(HealthWarning o) {
        return code.equals(o.code)
                && severity.equals(o.severity)
                && title.equals(o.title)
                && text.equals(o.text)
                && impactsConnectivity == o.impactsConnectivity
                && args.equals(o.args);
    }
}
