package io.derpwatch.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Finds where the user can fix a problem. A value's own origin is used when the user wrote it; when it is a
 * default (an origin inside a {@code reference.conf}) or a merge of the user's value with a default (Typesafe
 * Config then describes it as {@code merge of user.conf: 1,reference.conf @ jar:...: 179}), the problem is located
 * at the deepest node on its path that the user wrote: the value itself, else the user's enclosing block.
 */
public final class ConfigLocator {
    static final ConfigLocator NONE = new ConfigLocator(List.of());

    /** The user's own trees, unresolved, highest precedence first (system properties, then the file). */
    private final List<ConfigObject> userTrees;

    ConfigLocator(List<ConfigObject> userTrees) {
        this.userTrees = List.copyOf(userTrees);
    }

    /** Where to report a problem at {@code fullPath} whose value (or subtree) came from {@code valueOrigin}. */
    @Nullable
    ConfigOrigin locate(String fullPath, @Nullable ConfigOrigin valueOrigin) {
        if (valueOrigin != null && isUsers(valueOrigin)) {
            return valueOrigin;
        }
        List<String> keys = split(fullPath);
        ConfigOrigin best = null;
        int bestDepth = -1;
        for (ConfigObject tree : userTrees) {
            ConfigValue node = tree;
            for (int depth = 0; depth < keys.size() && node instanceof ConfigObject obj; depth++) {
                ConfigValue child;
                try {
                    child = obj.get(keys.get(depth));
                } catch (ConfigException e) {
                    break; // an unresolved merge: stop at the block around it
                }
                if (child == null) {
                    break;
                }
                node = child;
                if (depth > bestDepth && isUsers(child.origin())) {
                    best = child.origin();
                    bestDepth = depth;
                }
            }
        }
        return best != null ? best : valueOrigin;
    }

    /** Written by the user: not a classpath resource, not a merge that Typesafe Config cannot attribute. */
    static boolean isUsers(ConfigOrigin origin) {
        return origin.resource() == null && !origin.description().startsWith("merge of ");
    }

    private static List<String> split(String path) {
        try {
            return ConfigUtil.splitPath(path);
        } catch (ConfigException e) {
            return List.of(path.split("\\.", -1));
        }
    }
}
