package io.derpwatch.agent.netcheck;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Writes a socket address the way Go's {@code netip.AddrPort} prints it. */
public final class HostPort {
    private HostPort() {}

    /** {@code ip:port}, with IPv6 in brackets and RFC 5952 form. */
    public static String of(InetSocketAddress a) {
        String ip = NetUtil.toAddressString(a.getAddress());
        return (a.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
