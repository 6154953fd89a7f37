package io.derpwatch.agent.view;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@link AgentView} to and from the {@code /api/state} JSON. The mapper is made on first use, so an agent whose
 * status page is never opened does not load it.
 */
public final class AgentViewCodec {
    private static volatile ObjectMapper mapper;

    private AgentViewCodec() {}

    public static byte[] write(AgentView view) {
        try {
            return mapper().writeValueAsBytes(view);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // records of strings and numbers always serialise
        }
    }

    /**
     * Reads an {@code /api/state} document; fields this version does not know are ignored.
     *
     * @throws IOException when the document is not JSON or not an agent view
     */
    public static AgentView read(byte[] json) throws IOException {
        AgentView v = mapper().readValue(json, AgentView.class);
        if (v == null || v.home() == null) {
            throw new IOException("not a derpwatch /api/state document (no home)");
        }
        return v;
    }

    private static ObjectMapper mapper() {
        ObjectMapper m = mapper;
        if (m == null) {
            m = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            mapper = m;
        }
        return m;
    }
}
