package io.derpwatch.agent.derpcheck;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a DERP server's answer to the upgrade request as raw bytes (the connection is hijacked after the
 * head, so no HTTP codec): first the response head up to {@code \r\n\r\n}, which must be
 * {@code HTTP/1.1 101}; then the first frame, which must be the server-key frame: type 0x01
 * ({@code FrameServerKey}), a big-endian uint32 length of at least 40, and the 8-byte magic {@code "DERP🔑"}
 * ({@code 44 45 52 50 f0 9f 94 91}, {@code derp/derp.go}). The key itself is not needed. At most
 * {@value #MAX_HEAD} bytes are held. Releases every buffer; reports to the {@link Listener} once.
 */
final class UpgradeReplyHandler extends ChannelInboundHandlerAdapter {
    static final byte[] MAGIC = "DERP🔑".getBytes(StandardCharsets.UTF_8);
    static final int FRAME_SERVER_KEY = 0x01;
    private static final int KEY_LENGTH = 32;
    private static final int MAX_HEAD = 16 * 1024;
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    /** What the handler found. */
    interface Listener {
        /** The 101 head arrived. */
        void upgraded();

        /** The server-key frame arrived. */
        void serverKey();

        /** It failed at {@code step} (http or no_server_key). */
        void failed(DerpCheckStep step, String error);
    }

    private final Listener listener;
    private final byte[] held = new byte[MAX_HEAD];
    private int length;
    private boolean upgraded;
    private boolean done;

    UpgradeReplyHandler(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (done) {
                return;
            }
            int n = Math.min(buf.readableBytes(), MAX_HEAD - length);
            buf.readBytes(held, length, n);
            length += n;
            examine();
        } finally {
            buf.release();
        }
    }

    private void examine() {
        if (!upgraded) {
            int end = indexOf(END_OF_HEAD);
            if (end < 0) {
                if (length == MAX_HEAD) {
                    fail(DerpCheckStep.HTTP, "no end of the HTTP response head in " + MAX_HEAD + " bytes");
                }
                return;
            }
            String head = new String(held, 0, end, StandardCharsets.ISO_8859_1);
            String statusLine = head.lines().findFirst().orElse("");
            if (!statusLine.matches("HTTP/1\\.[01] 101( .*)?")) {
                fail(DerpCheckStep.HTTP, "expected 101 Switching Protocols, got \"" + excerpt(statusLine) + "\"");
                return;
            }
            upgraded = true;
            listener.upgraded();
            int rest = end + END_OF_HEAD.length;
            System.arraycopy(held, rest, held, 0, length - rest);
            length -= rest;
        }
        int needed = 5 + MAGIC.length;
        if (length < needed) {
            return;
        }
        int type = held[0] & 0xff;
        long frameLength =
                ((held[1] & 0xffL) << 24) | ((held[2] & 0xffL) << 16) | ((held[3] & 0xffL) << 8) | (held[4] & 0xffL);
        if (type != FRAME_SERVER_KEY
                || frameLength < MAGIC.length + KEY_LENGTH
                || !Arrays.equals(held, 5, 5 + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            fail(
                    DerpCheckStep.NO_SERVER_KEY,
                    "the first frame after 101 is not a server-key frame (type 0x" + Integer.toHexString(type)
                            + ", length " + frameLength + ")");
            return;
        }
        done = true;
        listener.serverKey();
    }

    private int indexOf(byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (held[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String excerpt(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            fail(
                    upgraded ? DerpCheckStep.NO_SERVER_KEY : DerpCheckStep.HTTP,
                    upgraded
                            ? "connection closed after 101, before the server-key frame"
                            : "connection closed before an HTTP answer");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            fail(upgraded ? DerpCheckStep.NO_SERVER_KEY : DerpCheckStep.HTTP, cause.toString());
        }
        ctx.close();
    }

    private void fail(DerpCheckStep step, String error) {
        done = true;
        listener.failed(step, error);
    }
}
