package io.derpwatch.agent.repo;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.Agent;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.lab.LocalApiEmulator;
import io.derpwatch.sinks.SinkFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Package dependencies point one way (docs/architecture.md): no package cycle in any module, and no feature
 * imports the CLI. Read from the compiled classes with {@code jdeps}, so a new import that breaks either rule
 * fails here, not in review.
 */
class ArchitectureTest {
    private static final String CLI = "io.derpwatch.agent.cli";

    @ParameterizedTest
    @ValueSource(strings = {"config", "sinks", "lab", "agent"})
    void packageGraph_ofEachModule_hasNoCycle(String module) {
        Map<String, Set<String>> graph = packageGraph(classesOf(module));

        assertThat(graph).as("packages of %s", module).isNotEmpty();
        assertThat(cycles(graph)).as("package cycles in %s", module).isEmpty();
    }

    @Test
    void noPackageOutsideTheCli_importsTheCli() {
        Map<String, Set<String>> graph = packageGraph(classesOf("agent"));

        assertThat(graph).containsKey(CLI);
        List<String> offenders = graph.entrySet().stream()
                .filter(e -> !inCli(e.getKey()) && e.getValue().stream().anyMatch(ArchitectureTest::inCli))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(offenders).as("packages importing %s", CLI).isEmpty();
    }

    @Test
    void cycleFinder_findsACycle_andOnlyTheCycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", Set.of("b"));
        graph.put("b", Set.of("c"));
        graph.put("c", Set.of("a"));
        graph.put("d", Set.of("a"));

        assertThat(cycles(graph)).containsExactly(List.of("a", "b", "c"));
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
    }

    private static boolean inCli(String pkg) {
        return pkg.equals(CLI) || pkg.startsWith(CLI + ".");
    }

    /** The directory (or jar) the module's main classes are loaded from. */
    private static Path classesOf(String module) {
        Class<?> anchor = switch (module) {
            case "config" -> SettingsLoader.class;
            case "sinks" -> SinkFactory.class;
            case "lab" -> LocalApiEmulator.class;
            case "agent" -> Agent.class;
            default -> throw new IllegalArgumentException(module);
        };
        try {
            Path at = Path.of(
                    anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertThat(Files.exists(at)).as("classes of %s at %s", module, at).isTrue();
            return at;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each {@code io.derpwatch} package of {@code classes} and the packages of the same classes it depends on. */
    private static Map<String, Set<String>> packageGraph(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", classes.toString());
        assertThat(rc).as("jdeps: %s", err).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[1].equals("->") && f[0].startsWith("io.derpwatch")) {
                graph.computeIfAbsent(f[0], k -> new TreeSet<>()).add(f[2]);
            }
        }
        // every package of the module is a node (each depends on java.base); edges only inside the module
        graph.values().forEach(targets -> targets.retainAll(graph.keySet()));
        return graph;
    }

    /** The strongly connected components of more than one package (Tarjan), each sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<List<String>> out = new ArrayList<>();
        for (String v : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, out);
            }
        }
        return out;
    }

    private static void connect(
            String v,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            List<List<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component.stream().sorted().collect(Collectors.toList()));
            }
        }
    }
}
