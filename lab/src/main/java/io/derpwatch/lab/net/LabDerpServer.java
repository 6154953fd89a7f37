package io.derpwatch.lab.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A DERP server stand-in on loopback TLS: {@code GET /derp} with {@code Upgrade: DERP} is answered as
 * tailscale's {@code derpserver.Handler} does, {@code 101 Switching Protocols} with {@code Upgrade: DERP},
 * {@code Connection: Upgrade}, {@code Derp-Version: 2} and {@code Derp-Public-Key}, then the server-key frame
 * ({@code derp/derp.go}: type {@code FrameServerKey} = 0x01, a big-endian uint32 length, the 8-byte magic
 * {@code "DERP🔑"} = {@code 44 45 52 50 f0 9f 94 91} and a 32-byte public key). It reads nothing after that:
 * the check it serves sends no client key. {@code GET /derp/latency-check} answers 200; a {@code /derp}
 * without the upgrade header 426, as tailscale's does. {@link Misbehaviour}s break it on demand.
 */
public final class LabDerpServer implements AutoCloseable {
    /** The magic that opens the server-key frame's payload. */
    public static final byte[] MAGIC = "DERP🔑".getBytes(StandardCharsets.UTF_8);

    private static final byte FRAME_SERVER_KEY = 0x01;
    private static final int KEY_LENGTH = 32;

    /** Ways the stand-in can fail a DERP check. */
    public enum Misbehaviour {
        /** Behave like a DERP server. */
        NONE,
        /** Stop listening: connections to the port are refused (listening again at {@link #NONE}). */
        REFUSE_TCP,
        /** Present a certificate no client trusts (a second self-signed one). */
        UNTRUSTED_CERT,
        /** Answer {@code /derp} with 200 and a page instead of the upgrade (a proxy or portal in the way). */
        HTTP_200,
        /** Answer 101, then bytes that are not a server-key frame. */
        GARBAGE_AFTER_101,
        /** Complete TLS, read the request, never answer. */
        NEVER_ANSWER
    }

    private final EventLoopGroup group;
    private final SslContext trusted;
    private final SslContext untrusted;
    private final InetSocketAddress address;
    private final ChannelGroup children;
    private final AtomicReference<Misbehaviour> misbehaviour = new AtomicReference<>(Misbehaviour.NONE);
    private final AtomicInteger upgrades = new AtomicInteger();
    private final byte[] publicKey = new byte[KEY_LENGTH];
    private volatile Channel listener;

    private LabDerpServer(EventLoopGroup group, InetSocketAddress listen, SslContext trusted, SslContext untrusted)
            throws InterruptedException {
        this.group = group;
        this.trusted = trusted;
        this.untrusted = untrusted;
        this.children = new DefaultChannelGroup("lab-derp", group.next());
        for (int i = 0; i < KEY_LENGTH; i++) {
            publicKey[i] = (byte) (0xa0 + i);
        }
        this.listener = bind(listen);
        this.address = (InetSocketAddress) listener.localAddress();
    }

    /**
     * Listens on {@code listen} (port 0: any free port) with {@code trusted} as its TLS identity;
     * {@code untrusted} is the identity presented under {@link Misbehaviour#UNTRUSTED_CERT}.
     */
    public static LabDerpServer start(
            EventLoopGroup group, InetSocketAddress listen, SslContext trusted, SslContext untrusted)
            throws InterruptedException {
        return new LabDerpServer(group, listen, trusted, untrusted);
    }

    /**
     * Listens on {@code listen} with a fresh self-signed certificate for {@code hostName} (and 127.0.0.1), and
     * a second one for {@link Misbehaviour#UNTRUSTED_CERT}; the trusted certificate's PEM is written to
     * {@code trustPem}, for the client's trust setting.
     */
    public static LabDerpServer startSelfSigned(
            EventLoopGroup group, InetSocketAddress listen, String hostName, java.nio.file.Path trustPem)
            throws java.io.IOException, java.security.GeneralSecurityException, InterruptedException {
        LabCertificate cert = LabCertificate.generate(java.util.List.of(hostName));
        LabCertificate other = LabCertificate.generate(java.util.List.of(hostName));
        java.nio.file.Files.writeString(trustPem, cert.certificatePem(), StandardCharsets.US_ASCII);
        return start(
                group,
                listen,
                io.netty.handler.ssl.SslContextBuilder.forServer(cert.keyManagerFactory())
                        .build(),
                io.netty.handler.ssl.SslContextBuilder.forServer(other.keyManagerFactory())
                        .build());
    }

    private Channel bind(InetSocketAddress listen) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(LabEventLoops.server())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        children.add(ch);
                        SslContext tls = misbehaviour.get() == Misbehaviour.UNTRUSTED_CERT ? untrusted : trusted;
                        ch.pipeline()
                                .addLast(
                                        tls.newHandler(ch.alloc()),
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(8192),
                                        new Handler());
                    }
                })
                .bind(listen)
                .sync()
                .channel();
    }

    /** Misbehaves this way from the next connection on. */
    public synchronized void misbehave(Misbehaviour how) throws InterruptedException {
        Misbehaviour before = misbehaviour.getAndSet(Objects.requireNonNull(how));
        if (how == Misbehaviour.REFUSE_TCP && before != Misbehaviour.REFUSE_TCP) {
            listener.close().sync();
        } else if (how != Misbehaviour.REFUSE_TCP && before == Misbehaviour.REFUSE_TCP) {
            listener = bind(address);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The 32-byte public key the server-key frame carries. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** How many {@code /derp} upgrades were answered with 101. */
    public int upgrades() {
        return upgrades.get();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        children.close().awaitUninterruptibly();
    }

    /** Frame header (type, uint32 length) then magic and key, as {@code derpserver}'s {@code sendServerKey}. */
    private ByteBuf serverKeyFrame() {
        ByteBuf frame = Unpooled.buffer(5 + MAGIC.length + KEY_LENGTH);
        frame.writeByte(FRAME_SERVER_KEY);
        frame.writeInt(MAGIC.length + KEY_LENGTH);
        frame.writeBytes(MAGIC);
        frame.writeBytes(publicKey);
        return frame;
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Misbehaviour how = misbehaviour.get();
            if (req.uri().equals("/derp/latency-check") || req.uri().equals("/derp/probe")) {
                reply(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                return;
            }
            if (!req.uri().equals("/derp")) {
                reply(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND));
                return;
            }
            if (how == Misbehaviour.NEVER_ANSWER) {
                return;
            }
            if (how == Misbehaviour.HTTP_200) {
                reply(
                        ctx,
                        new DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1,
                                HttpResponseStatus.OK,
                                Unpooled.copiedBuffer("<html>Please log in</html>", StandardCharsets.UTF_8)));
                return;
            }
            String upgrade = req.headers().get(HttpHeaderNames.UPGRADE, "");
            if (!upgrade.equalsIgnoreCase("derp") && !upgrade.equalsIgnoreCase("websocket")) {
                reply(
                        ctx,
                        new DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1,
                                HttpResponseStatus.UPGRADE_REQUIRED,
                                Unpooled.copiedBuffer("DERP requires connection upgrade\n", StandardCharsets.UTF_8)));
                return;
            }
            upgrades.incrementAndGet();
            // Hijack the connection: from here on raw bytes, as Go's handler writes them after Hijack.
            ctx.pipeline().remove(HttpObjectAggregator.class);
            ctx.pipeline().remove(HttpServerCodec.class);
            String head = "HTTP/1.1 101 Switching Protocols\r\n" + "Upgrade: DERP\r\n" + "Connection: Upgrade\r\n"
                    + "Derp-Version: 2\r\n" + "Derp-Public-Key: "
                    + HexFormat.of().formatHex(publicKey)
                    + "\r\n\r\n";
            ctx.write(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
            if (how == Misbehaviour.GARBAGE_AFTER_101) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("<html>not derp at all</html>", StandardCharsets.US_ASCII));
            } else {
                ctx.writeAndFlush(serverKeyFrame());
            }
            // stays open, like a DERP server waiting for the client's key; the client closes
        }

        private void reply(ChannelHandlerContext ctx, FullHttpResponse res) {
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
