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
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The emulator's IPN bus, {@code GET /localapi/v0/watch-ipn-bus?mask=N}: an endless chunked stream of
 * newline-delimited {@code ipn.Notify} JSON, one object per chunk and no heartbeat, as tailscaled's
 * {@code serveWatchIPNBus} writes it. Tests script it while watchers are connected: the initial notify follows
 * the mask ({@code NotifyInitialState} = 1&lt;&lt;1 puts {@code State}, {@code NotifyInitialHealthState} =
 * 1&lt;&lt;7 puts {@code Health}), then {@link #raise} / {@link #resolve} send the whole 1.70+ {@code Health}
 * ({@code {"Warnings": {code: {...}}}}; an absent code is healthy), {@link #state}, {@link #homeChange},
 * {@link #fellBehind} (1.102+'s last notify before the watch closes), {@link #silentDisconnect},
 * {@link #oversized}. {@link Support} makes it a pre-1.70 daemon (no structured health) or one without the bus.
 */
public final class IpnBus {
    /** tailscaled 1.102+'s last notify to a watcher it drops ({@code watchIPNBusFellBehindMessage}). */
    public static final String FELL_BEHIND = "IPN bus consumer fell behind; closing watch";

    static final String PATH = "/localapi/v0/watch-ipn-bus";
    private static final long NOTIFY_INITIAL_STATE = 1L << 1;
    private static final long NOTIFY_INITIAL_HEALTH = 1L << 7;

    /** What the emulated daemon's bus can do. */
    public enum Support {
        /** 1.70+: {@code Health} notifies with structured warnings. */
        STRUCTURED_HEALTH,
        /** Before 1.70: the bus streams, but never sends {@code Health}. */
        NO_STRUCTURED_HEALTH,
        /** No bus at all: the path answers 404. */
        NO_BUS
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<Channel> watchers = new CopyOnWriteArraySet<>();
    private final Map<String, ObjectNode> warnings = new LinkedHashMap<>();
    private final AtomicReference<Support> support = new AtomicReference<>(Support.STRUCTURED_HEALTH);
    private final AtomicInteger state = new AtomicInteger(6);
    private final AtomicInteger watchRequests = new AtomicInteger();
    private final AtomicLong lastMask = new AtomicLong(-1);
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile String version;

    IpnBus(String version) {
        this.version = version;
    }

    /** The daemon version the bus's initial notify names. */
    void version(String v) {
        version = v;
    }

    public void support(Support how) {
        support.set(how);
    }

    /** The backend state number the initial notify carries (ipn.State: 0 NoState .. 6 Running). */
    public void initialState(int ipnState) {
        state.set(ipnState);
    }

    /** How many watch requests arrived. */
    public int watchRequests() {
        return watchRequests.get();
    }

    /** The mask of the last watch request, -1 before any (or when it had none that parses). */
    public long lastMask() {
        return lastMask.get();
    }

    /** Watchers connected now. */
    public int watchers() {
        watchers.removeIf(c -> !c.isActive());
        return watchers.size();
    }

    /** Raises (or replaces) warning {@code code} and sends the whole health state to every watcher. */
    public void raise(
            String code,
            String severity,
            String title,
            String text,
            boolean impactsConnectivity,
            Map<String, String> args) {
        ObjectNode w = mapper.createObjectNode();
        w.put("WarnableCode", code);
        w.put("Severity", severity);
        w.put("Title", title);
        w.put("Text", text);
        w.put("BrokenSince", "2026-12-01T11:00:00Z");
        if (!args.isEmpty()) {
            ObjectNode a = w.putObject("Args");
            args.forEach(a::put);
        }
        if (impactsConnectivity) {
            w.put("ImpactsConnectivity", true);
        }
        synchronized (warnings) {
            warnings.put(code, w);
        }
        sendHealth();
    }

    /** Resolves warning {@code code} (absent from the next health state) and sends the whole health state. */
    public void resolve(String code) {
        synchronized (warnings) {
            warnings.remove(code);
        }
        sendHealth();
    }

    /** Sends {@code {"State": n}}. */
    public void state(int ipnState) {
        state.set(ipnState);
        ObjectNode n = newNotify();
        n.put("State", ipnState);
        send(n);
    }

    /** Sends a self-node change whose home DERP region is {@code regionId} ({@code SelfChange.HomeDERP}). */
    public void homeChange(int regionId) {
        ObjectNode n = newNotify();
        n.putObject("SelfChange").put("HomeDERP", regionId);
        send(n);
    }

    /** Sends {@code ErrMessage} {@value #FELL_BEHIND}, then ends every watch, as 1.102+ does to a slow reader. */
    public void fellBehind() {
        ObjectNode n = newNotify();
        n.put("ErrMessage", FELL_BEHIND);
        byte[] line = line(n);
        for (Channel c : watchers) {
            c.eventLoop().execute(() -> {
                c.write(new DefaultHttpContent(Unpooled.wrappedBuffer(line)));
                c.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            });
        }
        watchers.clear();
    }

    /** Closes every watch without a last chunk or error (tailscaled restarting, say). */
    public void silentDisconnect() {
        for (Channel c : watchers) {
            c.close();
        }
        watchers.clear();
    }

    /** Sends one valid notify record of at least {@code bytes} bytes (padded in an unknown field). */
    public void oversized(int bytes) {
        ObjectNode n = newNotify();
        n.put("LabPadding", "x".repeat(bytes));
        send(n);
    }

    /** Sends {@code json} (one line, no newline) verbatim as a record. */
    public void sendRaw(String json) {
        broadcast((json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void watch(ChannelHandlerContext ctx, QueryStringDecoder uri, HttpResponse okHead) {
        watchRequests.incrementAndGet();
        List<String> masks = uri.parameters().getOrDefault("mask", List.of());
        long mask = parseMask(masks.isEmpty() ? "" : masks.get(0));
        lastMask.set(mask);
        if (support.get() == Support.NO_BUS) {
            LocalApiHandler.writeText(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", true);
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(okHead.headers());
        HttpUtil.setTransferEncodingChunked(head, true);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        // a watcher before its first byte leaves: a test that saw the first record may script the next at once
        watchers.add(ctx.channel());
        ctx.channel().closeFuture().addListener(f -> watchers.remove(ctx.channel()));
        ctx.write(head);
        ObjectNode first = newNotify();
        if (mask >= 0 && (mask & NOTIFY_INITIAL_STATE) != 0) {
            first.put("SessionID", "lab-session-" + sessions.incrementAndGet());
            first.put("State", state.get());
        }
        if (mask >= 0 && (mask & NOTIFY_INITIAL_HEALTH) != 0 && support.get() == Support.STRUCTURED_HEALTH) {
            first.set("Health", health());
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(line(first))));
    }

    /** Go's {@code strconv.ParseUint(s, 10, 64)}; tailscaled answers 400 to a bad mask, the lab records -1. */
    private static long parseMask(String s) {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void sendHealth() {
        if (support.get() != Support.STRUCTURED_HEALTH) {
            return;
        }
        ObjectNode n = newNotify();
        n.set("Health", health());
        send(n);
    }

    private ObjectNode health() {
        ObjectNode h = mapper.createObjectNode();
        ObjectNode w = h.putObject("Warnings");
        synchronized (warnings) {
            warnings.forEach((code, warning) -> w.set(code, warning.deepCopy()));
        }
        return h;
    }

    private ObjectNode newNotify() {
        ObjectNode n = mapper.createObjectNode();
        n.put("Version", version);
        return n;
    }

    private void send(ObjectNode notify) {
        broadcast(line(notify));
    }

    private void broadcast(byte[] line) {
        for (Channel c : watchers) {
            c.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(line)));
        }
    }

    private byte[] line(ObjectNode notify) {
        try {
            return (mapper.writeValueAsString(notify) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
