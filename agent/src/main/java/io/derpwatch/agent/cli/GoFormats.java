package io.derpwatch.agent.cli;

import io.derpwatch.agent.netcheck.HostPort;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Values printed the way Go prints them, so {@code derpwatch netcheck} reads like {@code tailscale netcheck}. */
final class GoFormats {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private GoFormats() {}

    /** {@code ip:port}, with IPv6 in brackets and RFC 5952 form (as Go's {@code netip.AddrPort} prints). */
    static String hostPort(InetSocketAddress a) {
        return HostPort.of(a);
    }

    /** Go's {@code time.RFC3339Nano} in UTC: fraction without trailing zeros. */
    static String rfc3339Nano(Instant t) {
        String s = SECONDS.format(t);
        int nanos = t.getNano();
        if (nanos == 0) {
            return s + "Z";
        }
        String frac = String.format("%09d", nanos).replaceAll("0+$", "");
        return s + "." + frac + "Z";
    }

    /** Go's {@code Duration.Round}: to a multiple of {@code m}, halves away from zero. */
    static long round(long nanos, long m) {
        long r = nanos % m;
        return r + r < m ? nanos - r : nanos + m - r;
    }

    /** Go's {@code time.Duration.String()}: {@code 12.6ms}, {@code 850µs}, {@code 1.2s}, {@code 2m3.5s}. */
    static String goDuration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long u = Math.abs(nanos);
        if (u < 1_000) {
            return sign + u + "ns";
        }
        if (u < 1_000_000) {
            return sign + fraction(u, 1_000) + "µs";
        }
        if (u < 1_000_000_000) {
            return sign + fraction(u, 1_000_000) + "ms";
        }
        long secs = u / 1_000_000_000;
        String s = fraction(u % 60_000_000_000L, 1_000_000_000) + "s";
        long mins = secs / 60;
        if (mins > 0) {
            s = (mins % 60) + "m" + s;
            if (mins >= 60) {
                s = (mins / 60) + "h" + s;
            }
        }
        return sign + s;
    }

    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0) {
            return String.valueOf(whole);
        }
        int digits = String.valueOf(unit).length() - 1;
        String frac = String.format("%0" + digits + "d", rest).replaceAll("0+$", "");
        return whole + "." + frac;
    }
}
