package io.derpwatch.agent.events;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;

/** One event a snapshot change gives: its {@code event.name}, severity, body and attributes. */
record ChangeEvent(String name, Severity severity, String body, Attributes attributes) {}
