package io.derpwatch.sinks.stdout;

/** Settings of a {@code type = stdout} sink. */
record StdoutSettings(Format format) {
    enum Format {
        OTLP_JSON("otlp-json"),
        TEXT("text");

        final String key;

        Format(String key) {
            this.key = key;
        }
    }
}
