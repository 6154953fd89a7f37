package io.derpwatch.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /localapi/v0/logtap} as tailscaled's {@code serveLogTap} writes it (docs/localapi.md#logtap): 403
 * "logtap access denied" when {@linkplain #refuse refused} (a client without write permission), 405 to a method
 * other than GET, else a chunked response that never ends by itself: {@code {"text":"[logtap connected]\n"}},
 * then each scripted log line as one logtail record {@code {"logtail":{"client_time":...,"proc_id":...,
 * "proc_seq":...},"text":"<line>\n"}}. The lines {@linkplain #replay replayed} to every tap on connect are
 * usually a fixture's ({@code testdata/tailscale/logs-*.txt}); a fixture line's own timestamp prefix becomes the
 * record's {@code client_time}, as logtail text has none.
 */
public final class LabLogTap {
    public static final String PATH = "/localapi/v0/logtap";
    static final String CONNECTED_RECORD = "{\"text\":\"[logtap connected]\\n\"}\n";

    private static final Pattern GO_LOG_PREFIX =
            Pattern.compile("^(\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?) (.*)$");
    private static final Pattern SYSLOG_PREFIX = Pattern.compile("^\\w{3} +\\d+ \\d{2}:\\d{2}:\\d{2} \\S+ \\S+: (.*)$");
    private static final DateTimeFormatter GO_LOG_TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss[.SSSSSS]");

    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<Channel> taps = new CopyOnWriteArraySet<>();
    private final AtomicBoolean refused = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<List<String>> replay = new AtomicReference<>(List.of());

    LabLogTap() {}

    /** Answers the next taps with 403 "logtap access denied" (true) or opens them (false); open taps stay. */
    public void refuse(boolean refuse) {
        refused.set(refuse);
    }

    /** Lines (a fixture's, prefixes and all) sent as records to every tap right after its connected record. */
    public void replay(List<String> fixtureLines) {
        replay.set(List.copyOf(fixtureLines));
    }

    /** Requests for the logtap so far (refused ones included). */
    public int requests() {
        return requests.get();
    }

    /** Taps open now. */
    public int taps() {
        return taps.size();
    }

    /** Sends one log line (a fixture's, prefix and all) as a record to every open tap. */
    public void send(String fixtureLine) {
        broadcast(record(fixtureLine));
    }

    /** Sends {@code text} (one line, no newline) verbatim as a record to every open tap. */
    public void sendRaw(String text) {
        broadcast((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Ends every tap cleanly (its last chunk), as when the response ends; the taps' clients reconnect. */
    public void endAll() {
        for (Channel c : taps) {
            c.eventLoop()
                    .execute(() -> c.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                            .addListener(ChannelFutureListener.CLOSE));
        }
        taps.clear();
    }

    void tap(ChannelHandlerContext ctx, HttpMethod method, HttpResponse okHead, boolean close) {
        requests.incrementAndGet();
        if (refused.get()) {
            LocalApiHandler.writeText(ctx, HttpResponseStatus.FORBIDDEN, "logtap access denied", close);
            return;
        }
        if (!method.equals(HttpMethod.GET)) {
            LocalApiHandler.writeText(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET required", close);
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(okHead.headers());
        head.headers().remove(HttpHeaderNames.CONTENT_TYPE); // serveLogTap sets none: Go sniffs text/plain
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(CONNECTED_RECORD, StandardCharsets.UTF_8)));
        for (String line : replay.get()) {
            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(record(line))));
        }
        ctx.flush();
        taps.add(ctx.channel());
        ctx.channel().closeFuture().addListener(f -> taps.remove(ctx.channel()));
    }

    private void broadcast(byte[] record) {
        for (Channel c : taps) {
            c.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(record)));
        }
    }

    /** The logtail record tailscaled writes for {@code fixtureLine}, its timestamp prefix moved to client_time. */
    byte[] record(String fixtureLine) {
        Instant time = Instant.now();
        String text = fixtureLine;
        Matcher go = GO_LOG_PREFIX.matcher(fixtureLine);
        Matcher syslog = SYSLOG_PREFIX.matcher(fixtureLine);
        if (go.matches()) {
            time = LocalDateTime.parse(go.group(1), GO_LOG_TIME).toInstant(ZoneOffset.UTC);
            text = go.group(2);
        } else if (syslog.matches()) {
            text = syslog.group(1);
        }
        ObjectNode r = mapper.createObjectNode();
        ObjectNode logtail = r.putObject("logtail");
        logtail.put("client_time", time.toString());
        logtail.put("proc_id", 1);
        logtail.put("proc_seq", sequence.incrementAndGet());
        r.put("text", text + "\n");
        try {
            return (mapper.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
