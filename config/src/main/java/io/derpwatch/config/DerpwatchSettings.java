package io.derpwatch.config;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration of one agent: every {@link SettingsSection}'s value and the sinks.
 *
 * @param sections     each section's value, by its class
 * @param sinks        the sinks that apply: the ones the user declared, else the default set of reference.conf
 * @param defaultSinks true when the user declared no sink, so {@link #sinks()} is the default set
 * @param config       the resolved {@code derpwatch} subtree
 */
public record DerpwatchSettings(
        Map<Class<?>, Object> sections, List<SinkSettings> sinks, boolean defaultSinks, Config config) {
    public DerpwatchSettings {
        sections = Map.copyOf(sections);
        sinks = List.copyOf(sinks);
    }

    /**
     * The value of a section, e.g. {@code settings.section(StatusSettings.Section.class)}.
     *
     * @throws IllegalStateException when the section is not registered in
     *     {@code META-INF/services/io.derpwatch.config.SettingsSection}
     */
    public <T> T section(Class<? extends SettingsSection<T>> type) {
        Object value = sections.get(type);
        if (value == null) {
            throw new IllegalStateException("config section " + type.getName() + " is not registered in "
                    + "META-INF/services/" + SettingsSection.class.getName());
        }
        @SuppressWarnings("unchecked") // put there by the loader from the same section's read()
        T t = (T) value;
        return t;
    }

    public LocalApiSettings localApi() {
        return section(LocalApiSettings.Section.class);
    }

    public StatusSettings status() {
        return section(StatusSettings.Section.class);
    }

    public NetcheckSettings netcheck() {
        return section(NetcheckSettings.Section.class);
    }

    public TelemetrySettings telemetry() {
        return section(TelemetrySettings.Section.class);
    }

    public AdminSettings admin() {
        return section(AdminSettings.Section.class);
    }

    public ShutdownSettings shutdown() {
        return section(ShutdownSettings.Section.class);
    }

    /** The sinks that are switched on. */
    public List<SinkSettings> enabledSinks() {
        return sinks.stream().filter(SinkSettings::enabled).toList();
    }

    /** Never renders the config: it may hold credentials. */
    @Override
    public String toString() {
        return "DerpwatchSettings[sections=" + sections.values() + ", sinks=" + sinks + ", defaultSinks=" + defaultSinks
                + "]";
    }
}
