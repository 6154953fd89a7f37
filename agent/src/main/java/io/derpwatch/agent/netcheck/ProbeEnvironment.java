package io.derpwatch.agent.netcheck;

import io.derpwatch.agent.net.NettyTransport;
import io.derpwatch.agent.netcheck.stun.StunRejection;
import io.derpwatch.config.NetcheckSettings;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * What every report of one {@link NetcheckProber} shares: its event loop and transport, the settings, the HTTPS
 * client and the node resolver, where rejected datagrams are counted, the wall clock and the captive-portal port.
 */
record ProbeEnvironment(
        EventLoop loop,
        NettyTransport transport,
        NetcheckSettings settings,
        HttpGetter http,
        NodeAddressResolver resolver,
        Consumer<StunRejection> rejected,
        Clock clock,
        int captivePortalPort) {}
