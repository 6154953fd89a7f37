package io.derpwatch.agent.netcheck;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;

/**
 * A completed HTTP exchange: status, headers, body, and the latency from writing the request (after the TLS
 * handshake) to reading the response head.
 */
record HttpResult(int status, HttpHeaders headers, byte[] body, Duration latency) {}
