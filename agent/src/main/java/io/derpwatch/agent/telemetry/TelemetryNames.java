package io.derpwatch.agent.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Every metric, event and attribute name derpwatch puts on the wire, in one place. {@code docs/telemetry.md}
 * lists the same names with their meaning; keep the two in step.
 */
public final class TelemetryNames {
    private TelemetryNames() {}

    public static final String INSTRUMENTATION_SCOPE = "io.derpwatch";

    // --- metrics: home DERP connection (LocalAPI status) ---
    public static final String HOME_CONNECTION = "tailscale.derp.home_connection";

    // --- metrics: IPN bus, health warnings, backend state (docs/localapi.md "IPN bus") ---
    /** Active tailscaled health warnings, by {@code tailscale.health.warning.severity}. */
    public static final String HEALTH_WARNINGS = "tailscale.health.warnings";
    /** 1 per active warning, attribute {@code tailscale.health.warning.code} (bounded by tailscaled's warnables). */
    public static final String HEALTH_WARNING_ACTIVE = "tailscale.health.warning.active";
    /** 1 on the current state's series, attribute {@code tailscale.backend.state}. */
    public static final String BACKEND_STATE_GAUGE = "tailscale.backend.state";
    /** Every home-connection change, reported or suppressed by the flapping rule. */
    public static final String HOME_CONNECTION_CHANGES = "tailscale.derp.home_connection.changes";
    /** Every health-warning change (raised or resolved), reported or suppressed, by code. */
    public static final String HEALTH_WARNING_CHANGES = "tailscale.health.warning.changes";

    // --- metrics: the active home-DERP check ---
    /** 1 when the DERP upgrade got the server-key frame from this node, per region (and node). */
    public static final String DERP_REGION_REACHABLE = "tailscale.derp.region.reachable";
    /** Seconds per check step ({@code tailscale.derp.check.step} = tcp, tls, http, no_server_key for the frame). */
    public static final String DERP_REGION_CONNECT_DURATION = "tailscale.derp.region.connect.duration";

    // --- metrics: netcheck ---
    public static final String NETCHECK_REGION_LATENCY = "tailscale.netcheck.region.latency";
    public static final String NETCHECK_UDP = "tailscale.netcheck.udp";
    public static final String NETCHECK_IPV4 = "tailscale.netcheck.ipv4";
    public static final String NETCHECK_IPV6 = "tailscale.netcheck.ipv6";
    public static final String NETCHECK_IPV4_CAN_SEND = "tailscale.netcheck.ipv4_can_send";
    public static final String NETCHECK_IPV6_CAN_SEND = "tailscale.netcheck.ipv6_can_send";
    public static final String NETCHECK_OS_HAS_IPV6 = "tailscale.netcheck.os_has_ipv6";
    public static final String NETCHECK_MAPPING_VARIES = "tailscale.netcheck.mapping_varies_by_dest_ip";
    public static final String NETCHECK_CAPTIVE_PORTAL = "tailscale.netcheck.captive_portal";
    public static final String NETCHECK_PREFERRED_DERP = "tailscale.netcheck.preferred_derp";
    public static final String NETCHECK_DURATION = "tailscale.netcheck.duration";
    public static final String NETCHECK_STUN_REJECTED = "derpwatch.netcheck.stun.rejected";
    /** 1 per public address STUN saw; only when {@code report-public-addresses} is on (personal data). */
    public static final String NETCHECK_GLOBAL_ADDRESS = "tailscale.netcheck.global_address";

    public static final String NETCHECK_REPORTS = "derpwatch.netcheck.reports";
    public static final String NETCHECK_DERP_MAP_REGIONS = "derpwatch.netcheck.derp_map.regions";

    // --- metrics: the agent itself ---
    public static final String SOURCE_SAMPLES = "derpwatch.source.samples";
    public static final String SOURCE_ERRORS = "derpwatch.source.errors";
    /** Counter: connection attempts of a streaming source. */
    public static final String SOURCE_CONNECTS = "derpwatch.source.connects";

    public static final String SINK_ITEMS_EXPORTED = "derpwatch.sink.items.exported";
    public static final String SINK_ITEMS_FAILED = "derpwatch.sink.items.failed";
    public static final String SINK_ITEMS_DROPPED = "derpwatch.sink.items.dropped";
    public static final String SINK_QUEUE_SIZE = "derpwatch.sink.queue.size";
    public static final String SINK_RETRIES = "derpwatch.sink.retries";
    /** Events dropped before any sink saw them (the event batcher's queue was full). */
    public static final String EVENTS_DROPPED = "derpwatch.events.dropped";
    /** 1 on each supervised component's current state ({@code state} attribute). */
    public static final String COMPONENT_STATE = "derpwatch.component.state";
    /** Restarts of a supervised component: a sample abandoned on timeout or crashed, a worker restarted. */
    public static final String COMPONENT_RESTARTS = "derpwatch.component.restarts";

    // --- events (log records with event.name) ---
    public static final String EVENT_HOME_CONNECTION_CHANGED = "tailscale.derp.home_connection.changed";
    public static final String EVENT_HOME_REGION_CHANGED = "tailscale.derp.home_region.changed";
    public static final String EVENT_SOURCE_ERROR = "derpwatch.source.error";
    public static final String EVENT_NETCHECK_PREFERRED_CHANGED = "tailscale.netcheck.preferred_derp.changed";
    public static final String EVENT_NETCHECK_UDP_CHANGED = "tailscale.netcheck.udp.changed";
    public static final String EVENT_NETCHECK_MAPPING_VARIES_CHANGED =
            "tailscale.netcheck.mapping_varies_by_dest_ip.changed";

    public static final String EVENT_HEALTH_WARNING = "tailscale.health.warning";
    public static final String EVENT_HEALTH_WARNING_FLAPPING = "tailscale.health.warning.flapping";
    public static final String EVENT_HOME_CONNECTION_FLAPPING = "tailscale.derp.home_connection.flapping";
    public static final String EVENT_BACKEND_STATE_CHANGED = "tailscale.backend.state.changed";
    public static final String EVENT_NO_IP_ASSIGNED = "tailscale.node.no_ip_assigned";
    public static final String EVENT_DERP_REACHABLE_CHANGED = "tailscale.derp.region.reachable.changed";
    public static final String EVENT_HOME_CONNECTION_DISAGREEMENT = "tailscale.derp.home_connection.disagreement";

    // --- attributes ---
    public static final AttributeKey<Long> REGION_ID = AttributeKey.longKey("tailscale.derp.region.id");
    public static final AttributeKey<String> REGION_CODE = AttributeKey.stringKey("tailscale.derp.region.code");
    public static final AttributeKey<String> REGION_NAME = AttributeKey.stringKey("tailscale.derp.region.name");
    public static final AttributeKey<String> NETWORK_TYPE = AttributeKey.stringKey("network.type");
    public static final AttributeKey<String> NETCHECK_PROBE = AttributeKey.stringKey("tailscale.netcheck.probe");
    public static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    public static final AttributeKey<String> NETCHECK_ADDRESS = AttributeKey.stringKey("tailscale.netcheck.address");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    public static final AttributeKey<String> SOURCE_NAME = AttributeKey.stringKey("derpwatch.source.name");
    public static final AttributeKey<String> COMPONENT_KIND = AttributeKey.stringKey("derpwatch.component.kind");
    public static final AttributeKey<String> COMPONENT_NAME = AttributeKey.stringKey("derpwatch.component.name");
    /** On {@code derpwatch.component.state}: starting, running, stalled, stopped. */
    public static final AttributeKey<String> STATE = AttributeKey.stringKey("state");

    public static final AttributeKey<String> SINK_NAME = AttributeKey.stringKey("derpwatch.sink.name");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    public static final AttributeKey<String> ERROR_MESSAGE = AttributeKey.stringKey("error.message");
    public static final AttributeKey<Long> PREVIOUS = AttributeKey.longKey("previous");
    public static final AttributeKey<Long> CURRENT = AttributeKey.longKey("current");
    public static final AttributeKey<String> BACKEND_STATE = AttributeKey.stringKey("tailscale.backend_state");
    public static final AttributeKey<String> LOCALAPI_SOCKET = AttributeKey.stringKey("tailscale.localapi.socket");

    // --- LocalAPI status source (docs/localapi.md) ---
    /** {@code derpwatch.source.name} of the LocalAPI status source. */
    public static final String SOURCE_STATUS = "status";
    /** {@code derpwatch.source.name} of the active home-DERP check. */
    public static final String SOURCE_DERP_CHECK = "derp_check";
    /** {@code derpwatch.source.name} of the LocalAPI DERP map source (one map, shared by status and netcheck). */
    public static final String SOURCE_DERP_MAP = "derp_map";

    public static final AttributeKey<String> HEALTH_WARNING = AttributeKey.stringKey("tailscale.health.warning.text");
    public static final AttributeKey<Long> PREVIOUS_REGION_ID =
            AttributeKey.longKey("tailscale.derp.previous_region.id");
    public static final AttributeKey<String> PREVIOUS_REGION_CODE =
            AttributeKey.stringKey("tailscale.derp.previous_region.code");
    public static final AttributeKey<String> PREVIOUS_REGION_NAME =
            AttributeKey.stringKey("tailscale.derp.previous_region.name");
    public static final AttributeKey<String> LOCALAPI_PATH = AttributeKey.stringKey("tailscale.localapi.path");
    /** On {@code derpwatch.source.error}: how many repeats of the error were not reported since the last one. */
    public static final AttributeKey<Long> ERRORS_SUPPRESSED =
            AttributeKey.longKey("derpwatch.source.errors.suppressed");

    // --- IPN bus, health warnings, backend state ---
    /** {@code derpwatch.source.name} of the IPN-bus watch. */
    public static final String SOURCE_IPN_BUS = "ipn_bus";
    /** How a LocalAPI source reads tailscaled now: {@code bus} (IPN bus + safety-net polling) or {@code poll}. */
    public static final AttributeKey<String> SOURCE_MODE = AttributeKey.stringKey("derpwatch.source.mode");
    /** Why the source is in its mode: watching, before_1_70, no_bus, reconnecting, no_status, disabled. */
    public static final AttributeKey<String> SOURCE_MODE_REASON =
            AttributeKey.stringKey("derpwatch.source.mode.reason");
    /** 1 on the IPN-bus source's current mode and reason (attributes source name, mode, reason). */
    public static final String SOURCE_MODE_GAUGE = "derpwatch.source.mode";
    /** {@code raised} or {@code resolved} (also on {@code tailscale.node.no_ip_assigned}). */
    public static final AttributeKey<String> HEALTH_STATE = AttributeKey.stringKey("tailscale.health.state");

    public static final AttributeKey<String> HEALTH_WARNING_CODE =
            AttributeKey.stringKey("tailscale.health.warning.code");
    public static final AttributeKey<String> HEALTH_WARNING_SEVERITY =
            AttributeKey.stringKey("tailscale.health.warning.severity");
    public static final AttributeKey<String> HEALTH_WARNING_TITLE =
            AttributeKey.stringKey("tailscale.health.warning.title");
    public static final AttributeKey<Boolean> HEALTH_WARNING_IMPACTS_CONNECTIVITY =
            AttributeKey.booleanKey("tailscale.health.warning.impacts_connectivity");
    /** The warning's {@code Args.RegionID} / {@code Args.RegionName}, when it has them. */
    public static final AttributeKey<String> HEALTH_WARNING_REGION_ID =
            AttributeKey.stringKey("tailscale.health.warning.region.id");

    public static final AttributeKey<String> HEALTH_WARNING_REGION_NAME =
            AttributeKey.stringKey("tailscale.health.warning.region.name");
    /** Running, Stopped, NeedsLogin, ... on {@code tailscale.backend.state} and its change event. */
    public static final AttributeKey<String> BACKEND_STATE_NAME = AttributeKey.stringKey("tailscale.backend.state");

    public static final AttributeKey<String> PREVIOUS_BACKEND_STATE =
            AttributeKey.stringKey("tailscale.backend.previous_state");
    /** On a {@code ...flapping} event: changes of the subject within the flapping window. */
    public static final AttributeKey<Long> FLAPPING_CHANGES = AttributeKey.longKey("derpwatch.flapping.changes");

    // --- the active home-DERP check ---
    /** dns, tcp, tls, http, no_server_key: the failing step, or the step a duration is for. */
    public static final AttributeKey<String> DERP_CHECK_STEP = AttributeKey.stringKey("tailscale.derp.check.step");

    public static final AttributeKey<String> DERP_NODE_NAME = AttributeKey.stringKey("tailscale.derp.node.name");
    public static final AttributeKey<String> DERP_NODE_HOST = AttributeKey.stringKey("tailscale.derp.node.host");
    /** On the active check's gauges and reachability events: whether the region is the node's home region. */
    public static final AttributeKey<Boolean> DERP_REGION_HOME = AttributeKey.booleanKey("tailscale.derp.region.home");
    /** On a disagreement: the active check's verdict (tailscaled's is {@code reason}). */
    public static final AttributeKey<Boolean> DERP_CHECK_REACHABLE =
            AttributeKey.booleanKey("tailscale.derp.check.reachable");
    /** On a disagreement: how long the two sides have disagreed, seconds. */
    public static final AttributeKey<Double> DISAGREEMENT_DURATION =
            AttributeKey.doubleKey("tailscale.derp.home_connection.disagreement.duration");

    // --- peers (docs/telemetry.md#peers) ---
    /** Gauge: peers by {@code tailscale.peer.path} ({@code direct}, {@code derp}, {@code peer_relay}, {@code idle}). */
    public static final String PEERS = "tailscale.peers";
    /** Gauge: peers control reports online. */
    public static final String PEERS_ONLINE = "tailscale.peers.online";
    /** Gauge, per peer (off by default, capped): 1 for the peer's current path. */
    public static final String PEER_PATH_INFO = "tailscale.peer.path.info";
    /** Gauge: the latest ping round trip to a configured target, in seconds. */
    public static final String PEER_PING_LATENCY = "tailscale.peer.ping.latency";

    public static final String EVENT_PEER_PATH_CHANGED = "tailscale.peer.path.changed";
    public static final String EVENT_PEER_PING_ERROR = "tailscale.peer.ping.error";
    /** {@code derpwatch.source.name} of the peers source. */
    public static final String SOURCE_PEERS = "peers";
    /** {@code derpwatch.source.name} of tailscaled's client metrics ({@code /localapi/v0/usermetrics}). */
    public static final String SOURCE_USER_METRICS = "usermetrics";
    /** {@code derpwatch.source.name} of the ping probes. */
    public static final String SOURCE_PING = "ping";

    public static final AttributeKey<String> PEER_PATH = AttributeKey.stringKey("tailscale.peer.path");
    /** The peer's host name (never its keys or addresses). */
    public static final AttributeKey<String> PEER_NAME = AttributeKey.stringKey("tailscale.peer.name");

    public static final AttributeKey<String> PEER_PREVIOUS_PATH =
            AttributeKey.stringKey("tailscale.peer.previous_path");
    /** On a direct ping: the kind of endpoint ({@code ipv4}, {@code ipv6}, {@code local}). */
    public static final AttributeKey<String> PEER_ENDPOINT_KIND =
            AttributeKey.stringKey("tailscale.peer.endpoint.kind");
    /** On a peer-relay path: the relay as tailscaled names it (only when addresses are allowed). */
    public static final AttributeKey<String> PEER_RELAY = AttributeKey.stringKey("tailscale.peer.relay");
    /** On {@code tailscale.peer.path.changed}: how many changes of this peer were throttled since the last event. */
    public static final AttributeKey<Long> PEER_CHANGES_SUPPRESSED =
            AttributeKey.longKey("tailscale.peer.path.changes_suppressed");

    // --- tailscaled log signatures (docs/telemetry.md#log-signatures) ---
    public static final String EVENT_LOG_SIGNATURE = "tailscale.log.signature";
    /** {@code derpwatch.source.name} of the log source. */
    public static final String SOURCE_LOGS = "logs";

    public static final AttributeKey<String> LOG_SIGNATURE = AttributeKey.stringKey("tailscale.log.signature");
    /** On {@code tailscale.log.signature}: the time in the line's own prefix (ISO-8601), when it had one. */
    public static final String LOG_TIME = "tailscale.log.time";

    public static final AttributeKey<Long> LOG_LINE_NUMBER = AttributeKey.longKey("tailscale.log.line");
    public static final AttributeKey<Long> DERP_CONN_GEN = AttributeKey.longKey("tailscale.derp.conn_gen");
    /** Why magicsock opened a DERP connection: {@code home-keep-alive} or {@code peer}. */
    public static final AttributeKey<String> DERP_CONNECTION_PURPOSE =
            AttributeKey.stringKey("tailscale.derp.connection.purpose");

    public static final AttributeKey<String> DERP_CLOSE_REASON =
            AttributeKey.stringKey("tailscale.derp.connection.close_reason");
    /** A Go duration as tailscaled printed it ({@code 5h1m52s}). */
    public static final AttributeKey<String> DERP_CONNECTION_AGE =
            AttributeKey.stringKey("tailscale.derp.connection.age");

    public static final AttributeKey<String> HEALTH_WARNABLE = AttributeKey.stringKey("tailscale.health.warnable");
    public static final AttributeKey<String> RESTUN_REASON =
            AttributeKey.stringKey("tailscale.magicsock.restun.reason");
    public static final AttributeKey<Boolean> NETCHECK_REPORT_UDP =
            AttributeKey.booleanKey("tailscale.netcheck.report.udp");
    public static final AttributeKey<Boolean> NETCHECK_REPORT_IPV4 =
            AttributeKey.booleanKey("tailscale.netcheck.report.ipv4");
    public static final AttributeKey<Boolean> NETCHECK_REPORT_IPV6 =
            AttributeKey.booleanKey("tailscale.netcheck.report.ipv6");
    public static final AttributeKey<Boolean> NETCHECK_REPORT_MAPPING_VARIES =
            AttributeKey.booleanKey("tailscale.netcheck.report.mapping_varies_by_dest_ip");
    public static final AttributeKey<Long> NETCHECK_REPORT_PREFERRED_DERP =
            AttributeKey.longKey("tailscale.netcheck.report.preferred_derp");
    /** {@code <region id>/<v4|v6>=<seconds>} for each region tailscaled measured, as in its {@code derpdist}. */
    public static final AttributeKey<java.util.List<String>> NETCHECK_REPORT_REGION_LATENCIES =
            AttributeKey.stringArrayKey("tailscale.netcheck.report.region_latencies");

    // --- insights (docs/telemetry.md#insights) ---
    public static final String EVENT_INSIGHT = "tailscale.insight";
    /** Gauge: 1 while the insight is active, by {@code tailscale.insight.id}. */
    public static final String INSIGHT_ACTIVE = "tailscale.insight.active";

    public static final AttributeKey<String> INSIGHT_ID = AttributeKey.stringKey("tailscale.insight.id");
    /** {@code active} or {@code cleared}. */
    public static final AttributeKey<String> INSIGHT_STATE = AttributeKey.stringKey("tailscale.insight.state");

    public static final AttributeKey<String> INSIGHT_SEVERITY = AttributeKey.stringKey("tailscale.insight.severity");
    /** What is wrong and what to do, for people. */
    public static final AttributeKey<String> INSIGHT_MESSAGE = AttributeKey.stringKey("tailscale.insight.message");
    /** Evidence attributes are named {@code tailscale.insight.evidence.<name>}. */
    public static final String INSIGHT_EVIDENCE_PREFIX = "tailscale.insight.evidence.";
}
