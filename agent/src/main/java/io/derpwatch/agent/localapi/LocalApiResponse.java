package io.derpwatch.agent.localapi;

import java.nio.charset.StandardCharsets;

/**
 * A complete 2xx LocalAPI response.
 *
 * @param tailscaleVersion the {@code Tailscale-Version} header, empty when absent
 * @param body             the whole body (the array is the caller's; not copied)
 */
public record LocalApiResponse(int status, String contentType, String tailscaleVersion, byte[] body) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "LocalApiResponse[status=" + status + ", contentType=" + contentType + ", tailscaleVersion="
                + tailscaleVersion + ", body=" + body.length + " bytes]";
    }
}
