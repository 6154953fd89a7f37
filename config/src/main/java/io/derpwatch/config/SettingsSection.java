package io.derpwatch.config;

/**
 * One feature's part of the configuration: the subtree {@code derpwatch.<key>} with its defaults in a
 * {@code reference.conf} block, read and validated by the feature itself. Sections are found with
 * {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/io.derpwatch.config.SettingsSection} of the module that owns the feature.
 *
 * <p>The loader checks the user's keys under {@code derpwatch.<key>} against the section's defaults (a key that
 * has no default is an unknown key, with a suggestion), then calls {@link #read}; the value is available as
 * {@link DerpwatchSettings#section(Class)}. See docs/configuration.md, "Adding a config section".
 *
 * @param <T> the section's settings record
 */
public interface SettingsSection<T> {

    /** The key under {@code derpwatch}, kebab-case: {@code "status"} reads {@code derpwatch.status}. */
    String key();

    /**
     * Reads and validates the subtree. Report every problem through {@code reader} (located, collected, not
     * thrown) and return a value anyway: it is discarded when there were problems.
     */
    T read(SettingsReader reader);
}
