package io.derpwatch.agent;

import io.derpwatch.agent.derp.DerpMapSource;
import io.derpwatch.agent.derp.NodeDerpMap;
import io.derpwatch.agent.derpcheck.DerpCheckInstruments;
import io.derpwatch.agent.derpcheck.DerpCheckSettings;
import io.derpwatch.agent.derpcheck.DerpCheckSnapshot;
import io.derpwatch.agent.derpcheck.DerpCheckSource;
import io.derpwatch.agent.derpcheck.DerpCheckTriggers;
import io.derpwatch.agent.derpcheck.DisagreementRule;
import io.derpwatch.agent.events.ChangeEventEmitter;
import io.derpwatch.agent.home.HomeConnectionInstruments;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.home.StatusSource;
import io.derpwatch.agent.insight.InsightEvaluator;
import io.derpwatch.agent.ipn.FlappingSettings;
import io.derpwatch.agent.ipn.IpnBusSettings;
import io.derpwatch.agent.ipn.IpnBusSource;
import io.derpwatch.agent.ipn.IpnInstruments;
import io.derpwatch.agent.ipn.WatchMode;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.logs.JournaldSource;
import io.derpwatch.agent.logs.LogFileSource;
import io.derpwatch.agent.logs.LogSignatureBatch;
import io.derpwatch.agent.logs.LogTapSource;
import io.derpwatch.agent.logs.LogsSettings;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.NetcheckSnapshot;
import io.derpwatch.agent.netcheck.NetcheckSource;
import io.derpwatch.agent.peers.PeerInstruments;
import io.derpwatch.agent.peers.PeerSnapshot;
import io.derpwatch.agent.peers.PeersSettings;
import io.derpwatch.agent.peers.PeersSource;
import io.derpwatch.agent.peers.UserMetricsInstruments;
import io.derpwatch.agent.peers.UserMetricsSnapshot;
import io.derpwatch.agent.peers.UserMetricsSource;
import io.derpwatch.agent.ping.PingInstruments;
import io.derpwatch.agent.ping.PingSettings;
import io.derpwatch.agent.ping.PingSnapshot;
import io.derpwatch.agent.ping.PingSource;
import io.derpwatch.agent.source.PollSchedule;
import io.derpwatch.agent.source.PolledSourceRunner;
import io.derpwatch.agent.source.ReconnectSchedule;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.source.SourceEnvironment;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.NetcheckSettings;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the enabled sources for one agent, all on the agent's event loop, around one {@link StateStore}: the
 * instruments and the change-event emitter read it, the sources write it. Adding a polled source is one line
 * here: {@code add(env.poll(new MySource(...), schedule, s -> state.publish(MySnapshot.TOPIC, s)))}.
 */
final class SourceWiring {
    final StateStore state = new StateStore();
    final SourceEnvironment env;
    /** The one place change events are made (the status page keeps their history). */
    final ChangeEventEmitter changes;

    final List<Source> sources = new ArrayList<>();

    SourceWiring(DerpwatchSettings settings, EventLoopGroup group, Telemetry telemetry, int stallIntervals) {
        this(settings, group, telemetry, SourceEnvironment.create(group.next(), telemetry, stallIntervals));
    }

    SourceWiring(DerpwatchSettings settings, EventLoopGroup group, Telemetry telemetry, SourceEnvironment env) {
        this.env = env;
        LocalApiClient localApi = new LocalApiClient(group, settings.localApi());
        HomeConnectionInstruments.register(telemetry.meter(), state);
        IpnInstruments.register(telemetry.meter(), state);
        this.changes = ChangeEventEmitter.subscribe(
                state,
                telemetry.events(),
                localApi.socket(),
                telemetry.meter(),
                settings.section(FlappingSettings.Section.class),
                env.clock()::monotonicNanos);
        IpnBusSettings ipnBus = settings.section(IpnBusSettings.Section.class);

        // a LocalAPI sample is one or two requests, each bounded by localapi.timeout
        Duration localApiBound = settings.localApi().timeout().multipliedBy(2).plusSeconds(1);
        PolledSourceRunner<NodeDerpMap> derpMap = add(env.poll(
                new DerpMapSource(localApi),
                PollSchedule.every(settings.status().derpMapInterval(), localApiBound),
                m -> state.publish(NodeDerpMap.TOPIC, m)));
        // the IPN bus, when watched, recomputes the home connection at once; a status read is overlaid with it
        IpnBusSource[] watch = new IpnBusSource[1];
        PolledSourceRunner<HomeSnapshot> status = add(env.poll(
                new StatusSource(localApi, state, derpMap::sampleOnce),
                PollSchedule.every(settings.status().interval(), localApiBound),
                s -> {
                    IpnBusSource bus = watch[0];
                    HomeSnapshot home = bus == null ? s : bus.overlay(s);
                    state.publish(HomeSnapshot.TOPIC, home);
                    if (bus != null) {
                        bus.statusPublished(home);
                    }
                }));
        if (ipnBus.enabled()) {
            watch[0] = new IpnBusSource(localApi, state, ipnBus.maxRecordSize(), status::sampleOnce);
            add(env.stream(watch[0], IpnBusSource.schedule(ipnBus, localApiBound)));
        } else {
            state.publish(
                    WatchMode.TOPIC,
                    WatchMode.poll(
                            WatchMode.DISABLED,
                            "derpwatch.ipn-bus.enabled = false: polling /status",
                            env.clock().wallTime()));
        }
        DerpCheckSettings derpCheck = settings.section(DerpCheckSettings.Section.class);
        if (derpCheck.enabled()) {
            DerpCheckInstruments.register(telemetry.meter(), state);
            changes.withDerpCheck(
                    state, new DisagreementRule(derpCheck.disagreementThreshold(), env.clock()::monotonicNanos));
            PolledSourceRunner<DerpCheckSnapshot> check = add(env.poll(
                    DerpCheckSource.forAgent(
                            derpCheck, state, env.loop(), NettyTransport.forGroup(group), env.clock()::monotonicNanos),
                    // a round may wait for the first status and DERP map, then runs its checks at once, each bounded by
                    // derp-check.timeout
                    PollSchedule.every(
                            derpCheck.interval(),
                            derpCheck.timeout().multipliedBy(2).plusSeconds(5)),
                    s -> state.publish(DerpCheckSnapshot.TOPIC, s)));
            DerpCheckTriggers.subscribe(state, check::sampleOnce);
        }
        if (InsightEvaluator.enabled(settings)) {
            InsightEvaluator.start(settings, state, env.clock(), telemetry.meter());
        }
        PeersSettings peers = PeersSettings.read(settings);
        if (peers.enabled()) {
            PeerInstruments.register(telemetry.meter(), state, peers.perPeerCap() > 0);
            // its own client: the with-peers document of a large tailnet needs its own timeout
            LocalApiClient peersApi = new LocalApiClient(
                    group,
                    localApi.socket(),
                    peers.timeout(),
                    settings.localApi().maxBodySize());
            add(env.poll(
                    new PeersSource(peersApi, peers),
                    PollSchedule.every(peers.interval(), peers.timeout().plusSeconds(1)),
                    s -> state.publish(PeerSnapshot.TOPIC, s)));
        }
        if (peers.usermetrics()) {
            UserMetricsInstruments.register(telemetry.meter(), state);
            add(env.poll(
                    new UserMetricsSource(localApi),
                    PollSchedule.every(peers.usermetricsInterval(), localApiBound),
                    s -> state.publish(UserMetricsSnapshot.TOPIC, s)));
        }
        PingSettings ping = PingSettings.read(settings);
        if (!ping.targets().isEmpty()) {
            PingInstruments.register(telemetry.meter(), state);
            LocalApiClient pinger = new LocalApiClient(
                    group,
                    localApi.socket(),
                    ping.timeout(),
                    settings.localApi().maxBodySize());
            add(env.poll(
                    new PingSource(localApi, peers.maxBodySize(), pinger, ping),
                    // rounds of `concurrency` pings, each bounded by ping.timeout, after one status read
                    PollSchedule.every(
                            ping.interval(),
                            ping.timeout()
                                    .multipliedBy((ping.targets().size() + ping.concurrency() - 1) / ping.concurrency())
                                    .plus(localApiBound)),
                    s -> state.publish(PingSnapshot.TOPIC, s)));
        }
        LogsSettings logs = LogsSettings.read(settings);
        if (logs.source().equals("file")) {
            add(env.poll(
                    new LogFileSource(logs, java.time.Clock.systemUTC()),
                    PollSchedule.every(logs.pollInterval(), Duration.ofSeconds(30)),
                    s -> state.publish(LogSignatureBatch.TOPIC, s)));
        } else if (logs.source().equals("journald")) {
            add(env.stream(
                    new JournaldSource(
                            logs, b -> state.publish(LogSignatureBatch.TOPIC, b), java.time.Clock.systemUTC()),
                    new ReconnectSchedule(
                            logs.journald().backoff(), logs.journald().maxBackoff(), Duration.ofSeconds(10))));
        } else if (logs.source().equals("logtap")) {
            add(env.stream(
                    new LogTapSource(
                            localApi,
                            logs,
                            b -> state.publish(LogSignatureBatch.TOPIC, b),
                            java.time.Clock.systemUTC()),
                    LogTapSource.schedule(logs, localApiBound)));
        }
        NetcheckSettings netcheck = settings.netcheck();
        if (netcheck.enabled()) {
            add(env.poll(
                    new NetcheckSource(
                            env.loop(),
                            NettyTransport.forGroup(group),
                            netcheck,
                            telemetry.meter(),
                            state,
                            DerpMapSource.latestOrRead(state, derpMap)),
                    // a report is bounded by netcheck.timeout; loading a DERP map from a URL by 10 s more
                    new PollSchedule(
                            netcheck.interval(),
                            Duration.ZERO,
                            netcheck.timeout().plusSeconds(15)),
                    s -> state.publish(NetcheckSnapshot.TOPIC, s)));
        }
    }

    private <T extends Source> T add(T source) {
        sources.add(source);
        return source;
    }
}
