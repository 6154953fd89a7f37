package io.derpwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A free-form object of string values (OTLP headers, Kafka producer properties, resource attributes): nested keys
 * are dotted, quoted keys unquoted, a list or object value is a located problem, a null value is left out.
 */
final class FreeFormMap {
    private FreeFormMap() {}

    static Map<String, String> read(SettingsReader r, String key) {
        Config config = r.config();
        Map<String, String> out = new LinkedHashMap<>();
        if (!config.hasPath(key)) {
            return out;
        }
        ConfigValue v = config.getValue(key);
        if (!(v instanceof ConfigObject)) {
            r.wrongType(key, "an object { name = value }");
            return out;
        }
        for (Map.Entry<String, ConfigValue> e : config.getConfig(key).entrySet()) {
            ConfigValue value = e.getValue();
            if (value.valueType() == ConfigValueType.LIST || value.valueType() == ConfigValueType.OBJECT) {
                r.problems()
                        .add(ConfigProblem.at(
                                r.located(r.path(key) + "." + e.getKey(), value.origin()),
                                r.path(key) + "." + e.getKey(),
                                "wrong type " + value.valueType().name() + " (expected a string)"));
            } else if (value.valueType() != ConfigValueType.NULL) {
                out.put(stripQuotes(e.getKey()), String.valueOf(value.unwrapped()));
            }
        }
        return out;
    }

    private static String stripQuotes(String key) {
        return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")
                ? key.substring(1, key.length() - 1)
                : key;
    }
}
