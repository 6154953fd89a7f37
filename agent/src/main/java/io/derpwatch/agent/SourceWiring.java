package io.derpwatch.agent;

import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.config.DerpwatchSettings;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;

/** Builds the enabled sources for one agent, all on the same event loop group. */
final class SourceWiring {
    private SourceWiring() {
    }

    static List<Source> create(DerpwatchSettings settings, NettyTransport transport, EventLoopGroup group,
                               Telemetry telemetry) {
        List<Source> sources = new ArrayList<>();
        return sources;
    }
}
