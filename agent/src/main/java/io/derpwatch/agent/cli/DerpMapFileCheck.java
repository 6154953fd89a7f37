package io.derpwatch.agent.cli;

import io.derpwatch.agent.derp.DerpMap;
import io.derpwatch.agent.derp.DerpMapCodec;
import io.derpwatch.agent.derp.DerpMapException;
import io.derpwatch.agent.derp.DerpNode;
import io.derpwatch.agent.derp.DerpRegion;
import io.derpwatch.config.DerpwatchSettings;
import io.derpwatch.config.NetcheckSettings;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.config.SettingsReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the DERP map file that {@code derpwatch.netcheck.derp-map.file} names with the agent's own codec, so that
 * {@code validate} rejects a file that is missing, too large, not valid JSON, not a DERP map, or names ports or hosts
 * no probe could use; the problem is located at the user's {@code file} line. {@code run} does not: the file is read
 * on every refresh, and a bad one is an error event while the last good map is kept.
 */
final class DerpMapFileCheck implements SettingsLoader.Check {

    @Override
    public void check(DerpwatchSettings settings, SettingsReader root) {
        NetcheckSettings netcheck = settings.netcheck();
        String file = netcheck.derpMap().file();
        if (!netcheck.derpMap().source().equals("file") || file.isBlank()) {
            return;
        }
        SettingsReader map = root.child("netcheck").child("derp-map");
        Optional<Path> checked = map.file("file", NetcheckSettings.MAX_DERP_MAP_FILE_SIZE);
        if (checked.isEmpty()) {
            return; // not found, not a regular file, unreadable or too large: reported at the user's line
        }
        Path path = checked.get();
        byte[] json;
        try {
            try (InputStream in = Files.newInputStream(path)) {
                json = in.readNBytes((int) NetcheckSettings.MAX_DERP_MAP_FILE_SIZE);
            }
        } catch (IOException e) {
            map.problem("file", "cannot read \"" + file + "\": " + e.getMessage());
            return;
        }
        DerpMap derpMap;
        try {
            derpMap = new DerpMapCodec().parse(json);
        } catch (DerpMapException | RuntimeException e) {
            map.problem(
                    "file",
                    "\"" + file + "\" is not a DERP map: " + e.getMessage()
                            + " (expected tailcfg.DERPMap JSON {\"Regions\": {...}} or a policy file's derpMap)");
            return;
        }
        for (DerpRegion region : derpMap.regions().values()) {
            for (DerpNode node : region.nodes()) {
                String where = "\"" + file + "\": region " + region.id() + " node \"" + oneLine(node.name()) + "\": ";
                if (node.stunPort() < -1 || node.stunPort() > 65535) {
                    map.problem("file", where + "STUNPort " + node.stunPort() + " out of range (expected -1 to 65535)");
                }
                if (node.derpPort() < 0 || node.derpPort() > 65535) {
                    map.problem("file", where + "DERPPort " + node.derpPort() + " out of range (expected 0 to 65535)");
                }
                for (String text : new String[] {node.hostName(), node.ipv4(), node.ipv6(), node.name()}) {
                    if (!text.equals(oneLine(text))) {
                        map.problem(
                                "file",
                                where + "a name or address contains a control character such as CR/LF "
                                        + "(expected one line of printable text)");
                        break;
                    }
                }
            }
        }
    }

    private static String oneLine(String s) {
        return s.codePoints()
                .filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }
}
