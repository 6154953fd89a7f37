package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.stun.StunCodec;
import io.derpwatch.agent.netcheck.stun.StunRejection;
import io.derpwatch.agent.netcheck.stun.StunResponse;
import io.derpwatch.agent.netcheck.stun.TransactionId;
import io.derpwatch.config.NetcheckSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs netcheck reports on one event loop: STUN to every measurable region over IPv4 and IPv6, the HTTPS
 * latency fallback when no UDP reply arrives at all, and the captive-portal check. Nothing here blocks; every
 * report ends by the hard cap at the latest. The preferred region is not chosen here
 * ({@link PreferredRegionSelector} does that, with history).
 */
public final class NetcheckProber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetcheckProber.class);
    static final String LATENCY_CHECK_PATH = "/derp/latency-check";
    static final String CAPTIVE_PORTAL_PATH = "/generate_204";
    static final String CHALLENGE_HEADER = "X-Tailscale-Challenge";
    static final String RESPONSE_HEADER = "X-Tailscale-Response";

    private final EventLoop loop;
    private final NettyTransport transport;
    private final NetcheckSettings settings;
    private final HttpGetter http;
    private final NodeAddressResolver resolver;
    private final Consumer<StunRejection> rejected;
    private final Clock clock;
    private final int captivePortalPort;
    private CompletableFuture<Void> warmUp;
    static final int WARM_UP_REPORTS = 3;

    /**
     * @param ssl               the TLS client context for the HTTPS fallback (trusting the DERP servers)
     * @param rejected          called on the loop for every datagram that is not accepted
     * @param captivePortalPort the HTTP port of the captive-portal check (80; tests use another)
     */
    public NetcheckProber(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            SslContext ssl,
            Consumer<StunRejection> rejected,
            Clock clock,
            int captivePortalPort) {
        this(loop, transport, settings, () -> ssl, rejected, clock, captivePortalPort);
    }

    /** @param ssl makes the TLS client context on the first HTTPS request (never, while STUN answers) */
    public NetcheckProber(
            EventLoop loop,
            NettyTransport transport,
            NetcheckSettings settings,
            Supplier<SslContext> ssl,
            Consumer<StunRejection> rejected,
            Clock clock,
            int captivePortalPort) {
        this.loop = loop;
        this.transport = transport;
        this.settings = settings;
        this.resolver = new NodeAddressResolver(loop, transport);
        this.http = new HttpGetter(loop, transport, ssl, resolver);
        this.rejected = rejected;
        this.clock = clock;
        this.captivePortalPort = captivePortalPort;
    }

    /** Runs one full report over {@code map}; {@code progress} sees each region's latency as it arrives. */
    public CompletableFuture<NetcheckReport> run(DerpMap map, Consumer<RegionLatency> progress) {
        CompletableFuture<NetcheckReport> out = new CompletableFuture<>();
        warmedUp()
                .whenComplete((x, e) -> loop.execute(() -> {
                    try {
                        new ReportRun(map, progress, out, true).start();
                    } catch (RuntimeException ex) {
                        out.completeExceptionally(ex);
                    }
                }));
        return out;
    }

    /**
     * The one-time warm-up, started by the first report: {@value #WARM_UP_REPORTS} throwaway reports against an
     * in-process responder ({@link ProberWarmUp}), bounded by one second. Always completes normally.
     */
    private synchronized CompletableFuture<Void> warmedUp() {
        if (warmUp == null) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            warmUp = done;
            loop.execute(() -> {
                loop.schedule(() -> done.complete(null), 1, TimeUnit.SECONDS);
                ProberWarmUp.startResponder(loop, transport).whenComplete((responder, e) -> {
                    if (e != null) {
                        LOG.debug("netcheck: no warm-up responder: {}", e.toString());
                        done.complete(null);
                        return;
                    }
                    InetSocketAddress at = (InetSocketAddress) responder.localAddress();
                    boolean dual = at.getAddress() instanceof java.net.Inet6Address;
                    DerpMap synthetic = warmUpMap(at.getPort(), dual);
                    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
                    for (int i = 0; i < WARM_UP_REPORTS; i++) {
                        chain = chain.thenCompose(x -> {
                            CompletableFuture<NetcheckReport> r = new CompletableFuture<>();
                            loop.execute(() -> new ReportRun(synthetic, l -> {}, r, false).start());
                            return r;
                        });
                    }
                    chain.whenComplete((x, f) -> {
                        responder.close();
                        done.complete(null);
                    });
                });
            });
        }
        return warmUp;
    }

    private static DerpMap warmUpMap(int port, boolean dual) {
        java.util.TreeMap<Integer, DerpRegion> regions = new java.util.TreeMap<>();
        for (int id = 1; id <= 4; id++) {
            regions.put(
                    id,
                    new DerpRegion(
                            id,
                            "warm" + id,
                            "warm-up",
                            false,
                            false,
                            List.of(new DerpNode(
                                    "w" + id, id, "", "127.0.0.1", dual ? "::1" : "none", port, true, 0, false))));
        }
        return new DerpMap(regions, Map.of(), false);
    }

    HttpGetter http() {
        return http;
    }

    /** The regions a report measures: not {@code NoMeasureNoHome}, not {@code Avoid} unless asked, with nodes. */
    List<DerpRegion> measurable(DerpMap map) {
        List<DerpRegion> out = new ArrayList<>();
        for (DerpRegion r : map.regions().values()) {
            if (r.noMeasureNoHome() || r.nodes().isEmpty() || (r.avoid() && !settings.measureAvoidedRegions())) {
                continue;
            }
            out.add(r);
        }
        return out;
    }

    @Override
    public void close() {
        if (loop.inEventLoop()) {
            resolver.close();
            return;
        }
        try {
            loop.execute(resolver::close);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            resolver.close(); // the loop is already shutting down
        }
    }

    /** The probes of one region over one family. */
    private static final class ProbeSet {
        final DerpRegion region;
        final AddressFamily family;
        final List<DerpNode> nodes;
        boolean answered;
        boolean expired;
        long bestNanos = Long.MAX_VALUE;

        ProbeSet(DerpRegion region, AddressFamily family, List<DerpNode> nodes) {
            this.region = region;
            this.family = family;
            this.nodes = nodes;
        }

        boolean done() {
            return answered || expired;
        }
    }

    private record Probe(ProbeSet set, InetSocketAddress destination, long sentNanos) {}

    /** The state of one report; touched only on the event loop. */
    private final class ReportRun implements StunReplyHandler.Sink {
        private final DerpMap map;
        private final Consumer<RegionLatency> progress;
        private final CompletableFuture<NetcheckReport> out;
        private final Instant now = clock.instant();
        private final long startNanos = System.nanoTime();
        private final List<DerpRegion> regions;
        private final List<ProbeSet> sets = new ArrayList<>();
        private final Map<TransactionId, Probe> outstanding = new HashMap<>();
        private final Map<String, CompletableFuture<Optional<InetAddress>>> addresses = new HashMap<>();
        private final Map<InetAddress, InetSocketAddress> mappedV4ByDestination = new LinkedHashMap<>();
        private final Map<InetSocketAddress, Integer> v4Counters = new HashMap<>();
        private final Map<InetSocketAddress, Integer> v6Counters = new HashMap<>();
        private final java.util.Set<TransactionId> answeredTx = new java.util.HashSet<>();
        private final List<RegionLatency> https = new ArrayList<>();
        private final List<ScheduledFuture<?>> timers = new ArrayList<>();
        private Channel v4;
        private Channel v6;
        private boolean osHasIpv6;
        private boolean v4CanSend;
        private boolean v6CanSend;
        private InetSocketAddress globalV4;
        private InetSocketAddress globalV6;
        private Optional<Boolean> captivePortal = Optional.empty();
        private boolean stunFinished;
        private boolean finished;

        private final boolean real;

        /** @param real false for a warm-up report: its rejected datagrams are not counted, nothing is logged */
        ReportRun(DerpMap map, Consumer<RegionLatency> progress, CompletableFuture<NetcheckReport> out, boolean real) {
            this.map = map;
            this.progress = progress;
            this.out = out;
            this.regions = measurable(map);
            this.real = real;
        }

        void start() {
            timers.add(loop.schedule(this::finish, settings.timeout().toNanos(), TimeUnit.NANOSECONDS));
            ChannelFuture v4Bind = settings.ipv4() ? bind(new InetSocketAddress("0.0.0.0", 0)) : null;
            ChannelFuture v6Check = settings.ipv6() ? bind(new InetSocketAddress("::1", 0)) : null;
            CompletableFuture<Void> v4Ready = v4Bind == null
                    ? CompletableFuture.completedFuture(null)
                    : toFuture(v4Bind).thenAccept(ch -> v4 = ch);
            CompletableFuture<Void> v6Ready = v6Check == null
                    ? CompletableFuture.completedFuture(null)
                    : toFuture(v6Check)
                            .thenCompose(check -> {
                                // tailscale's OSHasIPv6: the OS can bind a socket to ::1
                                osHasIpv6 = true;
                                check.close();
                                return toFuture(bind(new InetSocketAddress("::", 0)));
                            })
                            .thenAccept(ch -> v6 = ch);
            v4Ready.exceptionally(e -> {
                        LOG.warn("netcheck: cannot open an IPv4 UDP socket: {}", e.toString());
                        return null;
                    })
                    .thenCombine(
                            v6Ready.exceptionally(e -> {
                                LOG.debug("netcheck: no IPv6 UDP socket: {}", e.toString());
                                return null;
                            }),
                            (a, b) -> null)
                    .whenComplete((x, e) -> loop.execute(this::plan));
        }

        private ChannelFuture bind(InetSocketAddress local) {
            return new Bootstrap()
                    .group(loop)
                    .channel(transport.datagramChannel())
                    .handler(new StunReplyHandler(this))
                    .bind(local);
        }

        private void plan() {
            if (finished) {
                return;
            }
            for (DerpRegion region : regions) {
                for (AddressFamily family : AddressFamily.values()) {
                    Channel ch = family == AddressFamily.IPV4 ? v4 : v6;
                    if (ch == null) {
                        continue;
                    }
                    List<DerpNode> nodes = region.nodes().stream()
                            .filter(n -> n.effectiveStunPort() > 0 && !NodeAddressResolver.disabled(n, family))
                            .toList();
                    if (!nodes.isEmpty()) {
                        sets.add(new ProbeSet(region, family, nodes));
                    }
                }
            }
            long interval = settings.tryInterval().toNanos();
            for (ProbeSet set : sets) {
                for (int i = 0; i < settings.tries(); i++) {
                    DerpNode node = set.nodes.get(i % set.nodes.size());
                    if (i == 0) {
                        sendTry(set, node);
                    } else {
                        timers.add(loop.schedule(() -> sendTry(set, node), i * interval, TimeUnit.NANOSECONDS));
                    }
                }
                long expiry = (settings.tries() - 1) * interval
                        + settings.stunTimeout().toNanos();
                timers.add(loop.schedule(
                        () -> {
                            set.expired = true;
                            checkStunDone();
                        },
                        expiry,
                        TimeUnit.NANOSECONDS));
            }
            checkStunDone();
        }

        private void sendTry(ProbeSet set, DerpNode node) {
            if (set.answered || stunFinished) {
                return;
            }
            address(node, set.family)
                    .whenComplete((addr, e) -> loop.execute(() -> {
                        if (e != null || addr.isEmpty()) {
                            LOG.debug(
                                    "netcheck: no {} address for {}: {}",
                                    set.family.networkType(),
                                    node.hostName(),
                                    e == null ? "none" : e.toString());
                            return;
                        }
                        if (set.answered || stunFinished) {
                            return;
                        }
                        Channel ch = set.family == AddressFamily.IPV4 ? v4 : v6;
                        InetSocketAddress destination = new InetSocketAddress(addr.get(), node.effectiveStunPort());
                        TransactionId tx = TransactionId.random();
                        ByteBuf request = ch.alloc().buffer(28);
                        StunCodec.writeBindingRequest(tx, request);
                        long sent = System.nanoTime();
                        outstanding.put(tx, new Probe(set, destination, sent));
                        ch.writeAndFlush(new DatagramPacket(request, destination))
                                .addListener(w -> {
                                    if (w.isSuccess()) {
                                        if (set.family == AddressFamily.IPV4) {
                                            v4CanSend = true;
                                        } else {
                                            v6CanSend = true;
                                        }
                                    } else {
                                        LOG.debug(
                                                "netcheck: STUN send to {} failed: {}",
                                                destination,
                                                w.cause().toString());
                                    }
                                });
                    }));
        }

        private CompletableFuture<Optional<InetAddress>> address(DerpNode node, AddressFamily family) {
            String key = family + "|" + node.name() + "|" + node.hostName() + "|" + node.ipv4() + "|" + node.ipv6();
            return addresses.computeIfAbsent(key, k -> resolver.resolve(node, family));
        }

        @Override
        public void onResponse(StunResponse response, InetSocketAddress sender, long receivedNanos) {
            Probe probe = outstanding.get(response.transactionId());
            if (probe == null) {
                onRejected(StunRejection.UNKNOWN_TRANSACTION, sender);
                return;
            }
            if (!sameEndpoint(probe.destination(), sender)) {
                onRejected(StunRejection.WRONG_SOURCE, sender);
                return;
            }
            if (finished) {
                return;
            }
            ProbeSet set = probe.set();
            long latency = Math.max(1, receivedNanos - probe.sentNanos());
            boolean improved = latency < set.bestNanos;
            set.bestNanos = Math.min(set.bestNanos, latency);
            boolean first = !set.answered;
            set.answered = true;
            InetSocketAddress mapped = response.mappedAddress();
            if (answeredTx.add(response.transactionId())) { // a duplicated datagram counts once
                (set.family == AddressFamily.IPV4 ? v4Counters : v6Counters).merge(mapped, 1, Integer::sum);
            }
            if (set.family == AddressFamily.IPV4) {
                mappedV4ByDestination.putIfAbsent(probe.destination().getAddress(), mapped);
                if (globalV4 == null) {
                    globalV4 = mapped;
                }
            } else if (globalV6 == null) {
                globalV6 = mapped;
            }
            if (first || improved) {
                progress.accept(new RegionLatency(
                        set.region.id(), set.family, ProbeKind.STUN, Duration.ofNanos(set.bestNanos)));
            }
            checkStunDone();
        }

        @Override
        public void onRejected(StunRejection reason, InetSocketAddress sender) {
            if (real) {
                LOG.debug("netcheck: rejected datagram from {}: {}", sender, reason.reason());
                rejected.accept(reason);
            }
        }

        private void checkStunDone() {
            if (stunFinished || finished) {
                return;
            }
            for (ProbeSet set : sets) {
                if (!set.done()) {
                    return;
                }
            }
            stunFinished = true;
            afterStun();
        }

        private void afterStun() {
            boolean anyUdp = sets.stream().anyMatch(s -> s.answered);
            CompletableFuture<Void> fallback =
                    !anyUdp && settings.httpsFallback().enabled()
                            ? httpsFallback()
                            : CompletableFuture.completedFuture(null);
            fallback.thenCompose(x -> settings.captivePortal().enabled()
                            ? captivePortalCheck()
                            : CompletableFuture.completedFuture(null))
                    .whenComplete((x, e) -> loop.execute(this::finish));
        }

        private CompletableFuture<Void> httpsFallback() {
            List<CompletableFuture<Void>> checks = new ArrayList<>();
            for (DerpRegion region : regions) {
                Optional<DerpNode> node =
                        region.nodes().stream().filter(n -> !n.stunOnly()).findFirst();
                if (node.isEmpty()) {
                    continue;
                }
                checks.add(httpsLatency(region, node.get()));
            }
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
        }

        private CompletableFuture<Void> httpsLatency(DerpRegion region, DerpNode node) {
            AddressFamily family =
                    NodeAddressResolver.disabled(node, AddressFamily.IPV4) ? AddressFamily.IPV6 : AddressFamily.IPV4;
            int port = node.derpPort() == 0 ? 443 : node.derpPort();
            return address(node, family)
                    .thenCompose(addr -> {
                        if (addr.isEmpty()) {
                            return CompletableFuture.<HttpResult>completedFuture(null);
                        }
                        String host = hostOf(node, addr.get());
                        return http.get(
                                new InetSocketAddress(addr.get(), port),
                                host,
                                LATENCY_CHECK_PATH,
                                true,
                                Map.of(),
                                settings.httpsFallback().timeout(),
                                64 * 1024);
                    })
                    .handle((result, e) -> {
                        if (e != null) {
                            LOG.debug(
                                    "netcheck: HTTPS latency check of region {} failed: {}", region.id(), e.toString());
                        } else if (result != null && result.status() <= 299) {
                            loop.execute(() -> {
                                if (!finished) {
                                    RegionLatency l = new RegionLatency(
                                            region.id(),
                                            family,
                                            ProbeKind.HTTPS,
                                            result.latency().isZero() ? Duration.ofNanos(1) : result.latency());
                                    https.add(l);
                                    progress.accept(l);
                                }
                            });
                        } else if (result != null) {
                            LOG.debug(
                                    "netcheck: HTTPS latency check of region {}: status {}",
                                    region.id(),
                                    result.status());
                        }
                        return null;
                    });
        }

        private CompletableFuture<Void> captivePortalCheck() {
            Optional<DerpNode> node = captivePortalNode();
            if (node.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            DerpNode n = node.get();
            return address(n, AddressFamily.IPV4)
                    .thenCompose(addr -> {
                        if (addr.isEmpty()) {
                            return CompletableFuture.<HttpResult>completedFuture(null);
                        }
                        String host = hostOf(n, addr.get());
                        return http.get(
                                new InetSocketAddress(addr.get(), captivePortalPort),
                                host,
                                CAPTIVE_PORTAL_PATH,
                                false,
                                Map.of(CHALLENGE_HEADER, "ts_" + host),
                                settings.captivePortal().timeout(),
                                4096);
                    })
                    .handle((result, e) -> {
                        if (e != null) {
                            LOG.debug("netcheck: captive-portal check failed: {}", e.toString());
                        } else if (result != null) {
                            String expected = "response ts_" + hostOf(n, null);
                            boolean portal = result.status() != 204
                                    || !expected.equals(result.headers().get(RESPONSE_HEADER));
                            loop.execute(() -> captivePortal = Optional.of(portal));
                        }
                        return null;
                    });
        }

        /** The fastest answering region's CanPort80 node, else the first measurable region's. */
        private Optional<DerpNode> captivePortalNode() {
            List<DerpRegion> order = new ArrayList<>(regions);
            Map<Integer, Duration> latency = latencies().stream()
                    .collect(java.util.stream.Collectors.toMap(
                            RegionLatency::regionId, RegionLatency::latency, (a, b) -> a.compareTo(b) <= 0 ? a : b));
            order.sort(
                    java.util.Comparator.comparing((DerpRegion r) -> latency.getOrDefault(r.id(), Duration.ofDays(1))));
            for (DerpRegion r : order) {
                for (DerpNode n : r.nodes()) {
                    if (n.canPort80() && !NodeAddressResolver.disabled(n, AddressFamily.IPV4)) {
                        return Optional.of(n);
                    }
                }
            }
            return Optional.empty();
        }

        private List<RegionLatency> latencies() {
            List<RegionLatency> all = new ArrayList<>();
            for (ProbeSet set : sets) {
                if (set.answered) {
                    all.add(new RegionLatency(
                            set.region.id(), set.family, ProbeKind.STUN, Duration.ofNanos(set.bestNanos)));
                }
            }
            all.addAll(https);
            return all;
        }

        private void finish() {
            if (finished) {
                return;
            }
            finished = true;
            stunFinished = true;
            timers.forEach(t -> t.cancel(false));
            if (v4 != null) {
                v4.close();
            }
            if (v6 != null) {
                v6.close();
            }
            Optional<Boolean> varies = Optional.empty();
            if (mappedV4ByDestination.size() >= 2) {
                varies = Optional.of(
                        mappedV4ByDestination.values().stream().distinct().count() > 1);
            }
            boolean ipv4 = sets.stream().anyMatch(s -> s.answered && s.family == AddressFamily.IPV4);
            boolean ipv6 = sets.stream().anyMatch(s -> s.answered && s.family == AddressFamily.IPV6);
            List<Integer> probed = regions.stream().map(DerpRegion::id).toList();
            out.complete(new NetcheckReport(
                    now,
                    Duration.ofNanos(System.nanoTime() - startNanos),
                    ipv4 || ipv6,
                    ipv4,
                    ipv6,
                    v4CanSend,
                    v6CanSend,
                    osHasIpv6,
                    varies,
                    0,
                    latencies(),
                    Optional.ofNullable(globalV4),
                    Optional.ofNullable(globalV6),
                    captivePortal,
                    probed,
                    v4Counters,
                    v6Counters));
        }
    }

    private static String hostOf(DerpNode node, InetAddress fallback) {
        if (node.hostName() != null && !node.hostName().isEmpty()) {
            return node.hostName();
        }
        return fallback == null ? "" : fallback.getHostAddress();
    }

    private static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() != b.getPort()) {
            return false;
        }
        InetAddress x = a.getAddress();
        InetAddress y = b.getAddress();
        return x != null
                && y != null
                && (x.equals(y) || (x instanceof Inet4Address && mapped(y).equals(x)));
    }

    /** An IPv4-mapped IPv6 address as IPv4 (a dual-stack socket may report one), else the address itself. */
    private static InetAddress mapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            boolean prefix = true;
            for (int i = 0; i < 10; i++) {
                prefix &= b[i] == 0;
            }
            if (prefix && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (java.net.UnknownHostException e) {
                    return a;
                }
            }
        }
        return a;
    }

    private static CompletableFuture<Channel> toFuture(ChannelFuture f) {
        CompletableFuture<Channel> out = new CompletableFuture<>();
        f.addListener(x -> {
            if (f.isSuccess()) {
                out.complete(f.channel());
            } else {
                out.completeExceptionally(f.cause());
            }
        });
        return out;
    }
}
