package io.derpwatch.agent.ipn;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code mask} of {@code watch-ipn-bus} for a daemon version ({@code /status} {@code Version}). Bit values
 * from tailscale's {@code ipn/backend.go} ({@code NotifyWatchOpt}; {@code 1 << iota} before 1.78, explicit
 * shifts since, same values). Never {@code NotifyInitialNetMap} (1&lt;&lt;3): on a big tailnet that is megabytes.
 * <ul>
 *   <li>before 1.70: {@code NotifyInitialState} (1&lt;&lt;1) = 2; no structured health exists on the bus</li>
 *   <li>1.70–1.77: + {@code NotifyInitialHealthState} (1&lt;&lt;7) = 130</li>
 *   <li>1.78–1.99: + {@code NotifyRateLimit} (1&lt;&lt;8, new in 1.78: spammy netmap updates at most every
 *       few seconds) = 386</li>
 *   <li>1.100+: {@code NotifyInitialState | NotifyInitialHealthState | NotifyNoNetMap} (1&lt;&lt;13, new in 1.100:
 *       no legacy netmap on later notifies) = 8322; no {@code NotifyRateLimit}, which 1.102 rejects together with
 *       {@code NotifyNoNetMap} ({@code ValidateNotifyWatchOpt})</li>
 *   <li>a version that does not parse: 130 (bits every bus since 1.70 knows; older ones ignore bit 7)</li>
 * </ul>
 */
public final class WatchMask {
    public static final long NOTIFY_INITIAL_STATE = 1L << 1;
    public static final long NOTIFY_INITIAL_NETMAP = 1L << 3;
    public static final long NOTIFY_INITIAL_HEALTH_STATE = 1L << 7;
    public static final long NOTIFY_RATE_LIMIT = 1L << 8;
    public static final long NOTIFY_NO_NETMAP = 1L << 13;

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    private WatchMask() {}

    public static long forVersion(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.find()) {
            return NOTIFY_INITIAL_STATE | NOTIFY_INITIAL_HEALTH_STATE;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major > 1 || minor >= 100) {
            return NOTIFY_INITIAL_STATE | NOTIFY_INITIAL_HEALTH_STATE | NOTIFY_NO_NETMAP;
        }
        if (minor >= 78) {
            return NOTIFY_INITIAL_STATE | NOTIFY_INITIAL_HEALTH_STATE | NOTIFY_RATE_LIMIT;
        }
        if (minor >= 70) {
            return NOTIFY_INITIAL_STATE | NOTIFY_INITIAL_HEALTH_STATE;
        }
        return NOTIFY_INITIAL_STATE;
    }

    /** Whether a daemon of this version sends structured health on the bus (1.70+; unknown: assumed yes). */
    public static boolean structuredHealth(String version) {
        return (forVersion(version) & NOTIFY_INITIAL_HEALTH_STATE) != 0;
    }

    /** The request path and query for this version. */
    public static String path(String version) {
        return "/localapi/v0/watch-ipn-bus?mask=" + forVersion(version);
    }
}
