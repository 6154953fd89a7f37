/**
 * The agent's logging backend: an SLF4J provider that writes one line per event to stderr (stdout belongs to the
 * stdout sink), as text or JSON, with a level set at run time and third-party loggers capped and throttled.
 */
@NullMarked
package io.derpwatch.agent.log;

import org.jspecify.annotations.NullMarked;
