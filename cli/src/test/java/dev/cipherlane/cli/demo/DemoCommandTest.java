package dev.cipherlane.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.cli.Main;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code cipherlane demo}: the in-process graph demo without root, argument checks, and, as
 * root, the two-node encrypted demo end to end: it passes, reports what it promises (ESP
 * stages, SAs, ESP drops) and leaves no namespace behind.
 */
class DemoCommandTest {
    private record Run(int status, String out, String err) {}

    private static Run demo(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] full = Stream.concat(Stream.of("demo"), Stream.of(args)).toArray(String[]::new);
        int status = Main.execute(full, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theGraphOnlyDemoRunsInProcessAndReports() {
        Run r = demo("--graph-only", "--seconds", "1", "--trace", "2");
        assertEquals(ExitStatus.OK, r.status(), r::err);
        for (String part : List.of("forwarding graph of", "show runtime", "show errors", "show trace",
                "buffers in use after the run: 0")) {
            assertTrue(r.out().contains(part), () -> part + " missing from\n" + r.out());
        }
    }

    @Test
    void outOfRangeOptionsAreRefused() {
        Run r = demo("--seconds", "0");
        assertEquals(ExitStatus.FAILURE, r.status());
        assertTrue(r.err().contains("--seconds must be in 1..600"), r::err);
        Run w = demo("--warm-up", "-1");
        assertEquals(ExitStatus.FAILURE, w.status());
        assertTrue(w.err().contains("--warm-up in 0..600"), w::err);
    }

    /**
     * The two-node demo, with the node processes on this JVM's class path: the launcher
     * script would rebuild this module under the running tests.
     */
    @Test
    @Tag("root")
    void theTwoNodeDemoPassesAndLeavesNothingBehind() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
        String before = System.getProperty(Launcher.PROPERTY);
        System.setProperty(Launcher.PROPERTY, "jvm");
        Run r;
        try {
            r = demo("--seconds", "2", "--warm-up", "1");
        } finally {
            if (before == null) {
                System.clearProperty(Launcher.PROPERTY);
            } else {
                System.setProperty(Launcher.PROPERTY, before);
            }
        }
        System.out.println(r.out());
        assertEquals(ExitStatus.OK, r.status(), () -> r.out() + r.err());
        for (String part : List.of("3 of 3 answered", "warm-up: the same streams for 1 s", "intact", "show tunnels", "ipip-encap", "esp-encrypt",
                "esp-decrypt", "show sa", "esp drops: ", "0 integrity failures",
                "demo passed: every ping answered, every byte verified, every node sent and received in ESP")) {
            assertTrue(r.out().contains(part), () -> part + " missing from\n" + r.out());
        }
        String prefix = r.out().lines().filter(l -> l.startsWith("namespaces ")).findFirst().orElseThrow()
                .split("\\s+")[1].replace("-*,", "");
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList());
        }
    }
}
