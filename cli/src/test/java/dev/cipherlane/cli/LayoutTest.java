package dev.cipherlane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.host.pod.PodTaps;
import dev.cipherlane.ipsec.esp.EspEncrypt;
import dev.cipherlane.linux.Libc;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.supervisor.NodeService;
import dev.cipherlane.tap.TapInput;
import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.testbed.Lab;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The rooms of the house, checked on what the build made rather than on what the sources
 * say: the node service's jar holds the node service and nothing of the lab, the cli or the
 * benchmarks; no product module starts a process (the lab and the demo may, the node never
 * does: it talks to the kernel through netlink); and inside {@code stages} and
 * {@code supervisor} no package depends on one that depends back on it (as {@code jdeps}
 * sees the class files).
 */
class LayoutTest {
    /** A class of each module that ships in the node service: where its classes were loaded from. */
    private static final List<Class<?>> PRODUCT = List.of(IpAddress.class, NodeConfigLoader.class, Libc.class,
            Graph.class, PodTaps.class, TapInput.class, PacketRing.class, EspEncrypt.class, NodeService.class);

    @Test
    void theNodeServiceJarHoldsNoLabBenchmarkOrCommandLine() throws IOException {
        List<String> entries = List.copyOf(classes(location(NodeService.class)).keySet());
        assertFalse(entries.isEmpty(), "no classes found for the supervisor");
        List<String> foreign = entries.stream()
                .filter(e -> e.startsWith("dev/cipherlane/testbed/") || e.startsWith("dev/cipherlane/benchmarks/")
                        || e.startsWith("dev/cipherlane/cli/") || e.startsWith("dev/cipherlane/chaos/")
                        || e.contains("/lab/") || e.contains("/demo/"))
                .toList();
        assertEquals(List.of(), foreign);
        assertFalse(location(NodeService.class).equals(location(Lab.class)), "the lab is a module of its own");
    }

    @Test
    void noProductModuleStartsAProcess() throws IOException {
        Map<String, List<String>> starters = new TreeMap<>();
        for (Class<?> module : PRODUCT) {
            Path where = location(module);
            classes(where).forEach((entry, bytes) -> {
                if (startsProcesses(bytes)) {
                    starters.computeIfAbsent(where.toString(), k -> new ArrayList<>()).add(entry);
                }
            });
        }
        assertEquals(Map.of(), starters);
        // The cli may, but only for the demo's lab: run, ctl and version never do.
        List<String> cli = classes(location(Main.class)).entrySet().stream()
                .filter(e -> !e.getKey().startsWith("dev/cipherlane/cli/demo/"))
                .filter(e -> startsProcesses(e.getValue()))
                .map(Map.Entry::getKey)
                .toList();
        assertEquals(List.of(), cli);
    }

    @Test
    void theCheckForProcessesSeesOne() {
        // The check above must be able to fail: the lab's command runner starts processes.
        assertTrue(classes(location(Lab.class)).values().stream().anyMatch(LayoutTest::startsProcesses));
    }

    @Test
    void noPackageCyclesInsideStagesOrSupervisor() {
        for (Class<?> module : List.of(Graph.class, NodeService.class)) {
            Map<String, Set<String>> edges = packageEdges(location(module));
            assertFalse(edges.isEmpty(), "jdeps reported nothing for " + location(module));
            assertEquals(List.of(), cycles(edges), "package cycles in " + location(module));
        }
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> edges = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertEquals(List.of("a -> b -> c -> a"), cycles(edges));
    }

    /** A class file that names ProcessBuilder, or Runtime together with a method named exec. */
    private static boolean startsProcesses(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        return text.contains("java/lang/ProcessBuilder")
                || (text.contains("java/lang/Runtime") && Pattern.compile("\u0000\u0004exec").matcher(text).find());
    }

    /** dev.cipherlane package → the dev.cipherlane packages of the same location it depends on. */
    private static Map<String, Set<String>> packageEdges(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-e", "dev\\.cipherlane\\..*",
                classes.toString());
        assertEquals(0, status, out::toString);
        Pattern line = Pattern.compile("^\\s+(dev\\.cipherlane\\.\\S+)\\s+->\\s+(dev\\.cipherlane\\.\\S+)\\s+(\\S+)\\s*$");
        Set<String> own = new HashSet<>();
        Map<String, Set<String>> edges = new HashMap<>();
        List<String[]> pairs = new ArrayList<>();
        for (String l : out.toString().lines().toList()) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                own.add(m.group(1));
                pairs.add(new String[] {m.group(1), m.group(2)});
            }
        }
        for (String[] p : pairs) {
            if (own.contains(p[1]) && !p[0].equals(p[1])) {
                edges.computeIfAbsent(p[0], k -> new TreeSet<>()).add(p[1]);
            }
        }
        return edges;
    }

    /** Every elementary cycle's first sighting from each start, written as a path, sorted. */
    static List<String> cycles(Map<String, Set<String>> edges) {
        Set<String> found = new TreeSet<>();
        for (String start : new TreeSet<>(edges.keySet())) {
            walk(start, start, new ArrayList<>(List.of(start)), edges, found);
        }
        return List.copyOf(found);
    }

    private static void walk(String start, String at, List<String> path, Map<String, Set<String>> edges, Set<String> found) {
        for (String next : edges.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                // Name a cycle once, from its smallest package.
                if (path.stream().allMatch(p -> p.compareTo(start) >= 0)) {
                    found.add(String.join(" -> ", path) + " -> " + start);
                }
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                walk(start, next, path, edges, found);
                path.removeLast();
            }
        }
    }

    private static Path location(Class<?> c) {
        return BuiltClasses.location(c);
    }

    private static Map<String, byte[]> classes(Path where) {
        return BuiltClasses.of(where);
    }
}
