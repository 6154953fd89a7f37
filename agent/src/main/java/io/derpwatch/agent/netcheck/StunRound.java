package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.agent.netcheck.stun.StunCodec;
import io.derpwatch.agent.netcheck.stun.StunRejection;
import io.derpwatch.agent.netcheck.stun.StunResponse;
import io.derpwatch.agent.netcheck.stun.TransactionId;
import io.derpwatch.config.NetcheckSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STUN half of one report: a probe set per region and address family, {@code tries} Binding requests per set
 * on the try interval (round-robin over the region's nodes), each set expiring after its last try's STUN timeout,
 * and every reply matched to its probe by transaction id and source address. Tells {@code done} once every set
 * is answered or expired. Touched only on the event loop.
 */
final class StunRound implements StunReplyHandler.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(StunRound.class);

    private record Probe(ProbeSet set, InetSocketAddress destination, long sentNanos) {}

    private final EventLoop loop;
    private final NetcheckSettings settings;
    private final ReportAddresses addresses;
    private final Consumer<RegionLatency> progress;
    private final @Nullable Consumer<StunRejection> rejected;
    private final Runnable done;
    private final List<ProbeSet> sets = new ArrayList<>();
    private final Map<TransactionId, Probe> outstanding = new HashMap<>();
    private final Map<InetAddress, InetSocketAddress> mappedV4ByDestination = new LinkedHashMap<>();
    private final Map<InetSocketAddress, Integer> v4Counters = new HashMap<>();
    private final Map<InetSocketAddress, Integer> v6Counters = new HashMap<>();
    private final Set<TransactionId> answeredTx = new HashSet<>();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private @Nullable Channel v4;
    private @Nullable Channel v6;
    private boolean v4CanSend;
    private boolean v6CanSend;
    private @Nullable InetSocketAddress globalV4;
    private @Nullable InetSocketAddress globalV6;
    private boolean finished;
    private boolean closed;

    /**
     * @param rejected told of every datagram that is not accepted; null for a warm-up report (nothing counted,
     *                 nothing logged)
     * @param done     run once, on the loop, when every probe set is answered or expired
     */
    StunRound(
            EventLoop loop,
            NetcheckSettings settings,
            ReportAddresses addresses,
            Consumer<RegionLatency> progress,
            @Nullable Consumer<StunRejection> rejected,
            Runnable done) {
        this.loop = loop;
        this.settings = settings;
        this.addresses = addresses;
        this.progress = progress;
        this.rejected = rejected;
        this.done = done;
    }

    /** Plans and starts the probes of {@code regions} over the sockets that opened (null: that family is off). */
    void start(List<DerpRegion> regions, @Nullable Channel v4, @Nullable Channel v6) {
        this.v4 = v4;
        this.v6 = v6;
        for (DerpRegion region : regions) {
            for (AddressFamily family : AddressFamily.values()) {
                if (channel(family) == null) {
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
            long expiry =
                    (settings.tries() - 1) * interval + settings.stunTimeout().toNanos();
            timers.add(loop.schedule(
                    () -> {
                        set.expired = true;
                        checkDone();
                    },
                    expiry,
                    TimeUnit.NANOSECONDS));
        }
        checkDone();
    }

    private @Nullable Channel channel(AddressFamily family) {
        return family == AddressFamily.IPV4 ? v4 : v6;
    }

    private void sendTry(ProbeSet set, DerpNode node) {
        if (set.answered || finished) {
            return;
        }
        addresses
                .of(node, set.family)
                .whenComplete((addr, e) -> loop.execute(() -> {
                    if (e != null || addr.isEmpty()) {
                        LOG.debug(
                                "netcheck: no {} address for {}: {}",
                                set.family.networkType(),
                                node.hostName(),
                                e == null ? "none" : e.toString());
                        return;
                    }
                    Channel ch = channel(set.family);
                    if (set.answered || finished || ch == null) {
                        return;
                    }
                    InetSocketAddress destination = new InetSocketAddress(addr.get(), node.effectiveStunPort());
                    TransactionId tx = TransactionId.random();
                    ByteBuf request = ch.alloc().buffer(28);
                    StunCodec.writeBindingRequest(tx, request);
                    outstanding.put(tx, new Probe(set, destination, System.nanoTime()));
                    ch.writeAndFlush(new DatagramPacket(request, destination)).addListener(w -> {
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

    @Override
    public void onResponse(StunResponse response, InetSocketAddress sender, long receivedNanos) {
        Probe probe = outstanding.get(response.transactionId());
        if (probe == null) {
            onRejected(StunRejection.UNKNOWN_TRANSACTION, sender);
            return;
        }
        if (!ReportAddresses.sameEndpoint(probe.destination(), sender)) {
            onRejected(StunRejection.WRONG_SOURCE, sender);
            return;
        }
        if (closed) {
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
            progress.accept(set.latency());
        }
        checkDone();
    }

    @Override
    public void onRejected(StunRejection reason, InetSocketAddress sender) {
        if (rejected != null) {
            LOG.debug("netcheck: rejected datagram from {}: {}", sender, reason.reason());
            rejected.accept(reason);
        }
    }

    private void checkDone() {
        if (finished || closed) {
            return;
        }
        for (ProbeSet set : sets) {
            if (!set.done()) {
                return;
            }
        }
        finished = true;
        done.run();
    }

    /** Ends the round when the report ends: no more tries, replies from now on change nothing. */
    void close() {
        finished = true;
        closed = true;
        timers.forEach(t -> t.cancel(false));
    }

    /** Whether any region answered over any family. */
    boolean anyAnswer() {
        return sets.stream().anyMatch(s -> s.answered);
    }

    boolean answered(AddressFamily family) {
        return sets.stream().anyMatch(s -> s.answered && s.family == family);
    }

    boolean canSend(AddressFamily family) {
        return family == AddressFamily.IPV4 ? v4CanSend : v6CanSend;
    }

    /** The best STUN latency of every answering region and family. */
    List<RegionLatency> latencies() {
        List<RegionLatency> all = new ArrayList<>();
        for (ProbeSet set : sets) {
            if (set.answered) {
                all.add(set.latency());
            }
        }
        return all;
    }

    /** Whether the IPv4 mapped address differed by destination; empty under two destinations. */
    Optional<Boolean> mappingVariesByDestination() {
        if (mappedV4ByDestination.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(mappedV4ByDestination.values().stream().distinct().count() > 1);
    }

    Optional<InetSocketAddress> globalV4() {
        return Optional.ofNullable(globalV4);
    }

    Optional<InetSocketAddress> globalV6() {
        return Optional.ofNullable(globalV6);
    }

    /** How many answers carried each mapped address, per family. */
    Map<InetSocketAddress, Integer> mappedCounts(AddressFamily family) {
        return family == AddressFamily.IPV4 ? v4Counters : v6Counters;
    }
}
