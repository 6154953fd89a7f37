package io.derpwatch.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The one unknown-key check: every key the user wrote must exist in the defaults it falls back to (a section's
 * {@code reference.conf} block, or a sink type's merged defaults). An empty object {@code {}} in the defaults
 * marks a free-form map. The walk is iterative, so no input can overflow the stack.
 */
final class KnownKeys {
    private KnownKeys() {}

    /**
     * Reports every key under {@code user} (the user's unresolved block at {@code path}) that {@code allowed}
     * (the defaults for the same block) does not define.
     */
    static void check(ConfigObject user, ConfigObject allowed, String path, List<ConfigProblem> problems) {
        record Pending(ConfigObject user, ConfigObject allowed, String path) {}
        Deque<Pending> todo = new ArrayDeque<>();
        todo.push(new Pending(user, allowed, path));
        while (!todo.isEmpty()) {
            Pending p = todo.pop();
            for (Map.Entry<String, ConfigValue> e : entries(p.user())) {
                String key = e.getKey();
                String childPath = p.path() + "." + ConfigUtil.joinPath(key);
                ConfigValue refValue = p.allowed().get(key);
                if (refValue == null && !p.allowed().containsKey(key)) {
                    problems.add(ConfigProblem.at(
                            e.getValue().origin(), childPath, "unknown key" + suggestion(p.allowed(), key)));
                    continue;
                }
                ConfigObject userObj = objectOrNull(e.getValue());
                if (refValue instanceof ConfigObject refObj && !refObj.isEmpty() && userObj != null) {
                    todo.push(new Pending(userObj, refObj, childPath));
                }
            }
        }
    }

    /** The entries of a user block, or none when it is an unresolved merge (its resolved value is read later). */
    private static java.util.Set<Map.Entry<String, ConfigValue>> entries(ConfigObject obj) {
        try {
            return obj.entrySet();
        } catch (ConfigException e) {
            return java.util.Set.of();
        }
    }

    /** The value as an object, or null when it is another type or an unresolved merge (checked once resolved). */
    private static @Nullable ConfigObject objectOrNull(ConfigValue v) {
        try {
            return v instanceof ConfigObject obj ? obj : null;
        } catch (ConfigException e) {
            return null;
        }
    }

    static String suggestion(ConfigObject siblings, String key) {
        TreeSet<String> all = new TreeSet<>(siblings.keySet());
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : all) {
            int d = distance(candidate, key);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
            return " (did you mean \"" + best + "\"? expected one of " + String.join(", ", all) + ")";
        }
        return " (expected one of " + String.join(", ", all) + ")";
    }

    private static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE; // no suggestion for absurd keys, and no quadratic work on them
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
