package io.derpwatch.agent.netcheck;

import static org.junit.jupiter.api.Assertions.fail;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.config.NetcheckSettings;
import io.derpwatch.config.SettingsException;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.net.Coturn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers for netcheck tests: settings from reference.conf with overrides, coturn, maps, fixtures. */
public final class NetcheckTestSupport {
    private NetcheckTestSupport() {}

    /** The netcheck settings of reference.conf with {@code derpwatch.netcheck.<key>} overrides. */
    public static NetcheckSettings settings(Map<String, String> overrides) {
        Properties p = new Properties();
        p.putAll(stdoutSinkTypeIfMissing());
        overrides.forEach((k, v) -> p.setProperty("derpwatch.netcheck." + k, v));
        try {
            return SettingsLoader.with(Map.of(), p).load(null).netcheck();
        } catch (SettingsException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** {@code s} with another {@code derp-map} section. */
    public static NetcheckSettings withDerpMap(NetcheckSettings s, NetcheckSettings.DerpMapSettings m) {
        return new NetcheckSettings(
                s.enabled(),
                s.interval(),
                s.timeout(),
                s.stunTimeout(),
                s.tries(),
                s.tryInterval(),
                s.ipv4(),
                s.ipv6(),
                s.measureAvoidedRegions(),
                s.reportPublicAddresses(),
                s.preferredHistory(),
                s.httpsFallback(),
                s.captivePortal(),
                m);
    }

    /**
     * reference.conf configures a {@code stdout} sink whose type the sinks module registers; until that module's
     * reference.conf is on this branch, declare the type so the loader accepts the defaults.
     */
    public static Map<String, String> stdoutSinkTypeIfMissing() {
        boolean known = com.typesafe.config.ConfigFactory.parseResources("reference.conf")
                .hasPath("derpwatch.sink-types.stdout");
        return known ? Map.of() : Map.of("derpwatch.sink-types.stdout.enabled", "true");
    }

    /** Starts coturn on {@code addresses}; skips the test when coturn is missing, fails instead when CI=true. */
    public static Coturn coturn(List<InetAddress> addresses) throws IOException, InterruptedException {
        requireCoturn();
        return Coturn.start(addresses);
    }

    /** For {@code @BeforeAll}: coturn on {@code addresses}, or null when it is not installed (see requireCoturn). */
    public static Coturn coturnIfInstalled(List<InetAddress> addresses) throws IOException, InterruptedException {
        return Coturn.executable().isPresent() ? Coturn.start(addresses) : null;
    }

    /**
     * Skips the calling test with a message when turnserver is missing, or fails it when CI=true. Call it from
     * {@code @BeforeEach}: an abort in {@code @BeforeAll} would hide the message (surefire reports no test).
     */
    public static void requireCoturn() {
        if (Coturn.executable().isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("turnserver (coturn) is required in CI: apt-get install -y coturn");
            }
            Assumptions.abort("turnserver (coturn) is not installed: skipping the real-STUN test "
                    + "(apt-get install -y coturn)");
        }
    }

    public static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    public static List<InetAddress> ips(String prefix, int from, int to) {
        List<InetAddress> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(ip(prefix + i));
        }
        return out;
    }

    /** A region with one STUN node at {@code stun} (IPv6 disabled so tests never wait on DNS). */
    public static DerpRegion region(int id, String code, InetSocketAddress stun) {
        return new DerpRegion(id, code, "Region " + code, false, false, List.of(node(id, stun)));
    }

    public static DerpNode node(int region, InetSocketAddress stun) {
        return new DerpNode(
                region + "a",
                region,
                "derp" + region + ".lab.test",
                stun.getAddress().getHostAddress(),
                "none",
                stun.getPort(),
                false,
                0,
                false);
    }

    public static DerpMap map(DerpRegion... regions) {
        TreeMap<Integer, DerpRegion> m = new TreeMap<>();
        for (DerpRegion r : regions) {
            m.put(r.id(), r);
        }
        return new DerpMap(m, Map.of(), false);
    }

    /** The repository's {@code testdata/} folder (real tailscale samples, see testdata/README.md). */
    public static Path fixtures() {
        return io.derpwatch.agent.home.StatusFixtures.testDataDir();
    }
}
