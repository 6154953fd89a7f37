package io.derpwatch.agent;

import io.derpwatch.agent.home.HomeState;
import io.derpwatch.agent.home.StatusSource;
import io.derpwatch.agent.localapi.LocalApiClient;
import io.derpwatch.agent.localapi.LocalApiResponse;
import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.NetcheckSource;
import io.derpwatch.agent.source.Source;
import io.derpwatch.agent.telemetry.Telemetry;
import io.derpwatch.config.DerpwatchSettings;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Builds the enabled sources for one agent, all on the same event loop group, and the state they write. */
final class SourceWiring {
    private static final String LOCALAPI_DERPMAP = "/localapi/v0/derpmap";

    final List<Source> sources = new ArrayList<>();
    final HomeState home = new HomeState();
    final LocalApiClient localApi;
    /** The netcheck source, null when netcheck is off. */
    final @Nullable NetcheckSource netcheck;

    SourceWiring(DerpwatchSettings settings, EventLoopGroup group, Telemetry telemetry) {
        this.localApi = new LocalApiClient(group, settings.localApi());
        sources.add(new StatusSource(group, localApi, settings.status(), telemetry, home));
        if (settings.netcheck().enabled()) {
            netcheck = new NetcheckSource(
                    group.next(),
                    NettyTransport.forGroup(group),
                    settings.netcheck(),
                    telemetry,
                    () -> localApi.get(LOCALAPI_DERPMAP).thenApply(LocalApiResponse::body));
            sources.add(netcheck);
        } else {
            netcheck = null;
        }
    }
}
