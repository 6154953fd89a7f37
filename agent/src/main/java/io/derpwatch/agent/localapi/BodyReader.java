package io.derpwatch.agent.localapi;

import java.nio.ByteBuffer;

/**
 * Reads a 2xx LocalAPI response body piece by piece as it arrives ({@link LocalApiClient#get(String, long,
 * BodyReader)}), so a large body is never held whole. Called on the event loop: it must not block. A reader
 * that throws ends the exchange with a {@link LocalApiException} of kind {@code malformed_json} carrying its
 * message.
 */
public interface BodyReader<T> {
    /** The next bytes of the body; {@code bytes} is only valid during the call. */
    void chunk(ByteBuffer bytes) throws Exception;

    /** The body has ended: what it read. */
    T end() throws Exception;
}
