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
}
