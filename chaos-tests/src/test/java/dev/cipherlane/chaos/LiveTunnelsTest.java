package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tunnel counts change on running encrypted nodes while byte-checked streams cross between
 * them: both nodes are reloaded again and again with another count for their peer (4, 2, 3,
 * 1, ...), the new tunnels made and protected before flows are hashed onto them and the old
 * ones emptied before their SAs go. The streams arrive intact, {@code show tunnels} follows
 * each count, neither dataplane is ever rebuilt, and a count whose new tunnel has no usable
 * key file is refused whole, leaving the tunnels as they were.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LiveTunnelsTest {
    private static final long MIB = 1 << 20;
    private static final long RATE = 4 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final Duration SENDING = Duration.ofSeconds(60);
    private static final int[] COUNTS = {2, 3, 4, 1, 3, 2, 4};
    private static final int CHANGES = 28;
    private static final String STARTED = "dataplane running:";

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void tunnelCountsChangeUnderTrafficWithoutARebuild() throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withIpsec(LabIpsec.ON);
        int configured = spec.tunnels();
        try (NodeTestbed t = NodeTestbed.start(spec)) {
            LabNode n1 = t.node(1);
            LabNode n2 = t.node(2);
            String original1 = Files.readString(n1.config());
            String original2 = Files.readString(n2.config());
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            CheckedStream there = t.closeLater(CheckedStream.between("tunnels-n1-to-n2", a, b, b.address4(), 7721,
                    RATE * SENDING.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(SENDING).start();
            CheckedStream back = t.closeLater(CheckedStream.between("tunnels-n2-to-n1", b, a, a.address4(), 7722,
                    RATE * SENDING.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(SENDING).start();

            for (int i = 0; i < CHANGES; i++) {
                int count = COUNTS[i % COUNTS.length];
                reload(t, n1, original1, configured, count);
                reload(t, n2, original2, configured, count);
                assertEquals(count, tunnels(n1, "n2"), () -> shown(n1));
                assertEquals(count, tunnels(n2, "n1"), () -> shown(n2));
            }

            // Down to 1, then up to 4 with the key file of tunnel 3 gone: refused whole.
            reload(t, n1, original1, configured, 1);
            reload(t, n2, original2, configured, 1);
            Path key = n1.keyFile(2, 3);
            Path aside = key.resolveSibling(key.getFileName() + ".aside");
            Files.move(key, aside);
            Files.writeString(n1.config(), withTunnels(original1, configured, 4));
            String refused = n1.admin("reload");
            assertTrue(refused.startsWith("error: reload failed, every change undone, the running config stays: peer n2: "),
                    refused);
            assertEquals(1, tunnels(n1, "n2"), () -> shown(n1));
            Files.move(aside, key);
            reload(t, n1, original1, configured, configured);
            reload(t, n2, original2, configured, configured);
            assertEquals(configured, tunnels(n1, "n2"));

            for (CheckedStream s : new CheckedStream[] {there, back}) {
                CheckedStream.Result r = s.await(SENDING.plusMinutes(1));
                System.out.println("LiveTunnelsTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }
            for (LabNode n : new LabNode[] {n1, n2}) {
                assertEquals(1, n.log().split(STARTED, -1).length - 1,
                        () -> "no tunnel change rebuilt the dataplane:\n" + n.log());
            }
            System.out.println("LiveTunnelsTest: n1 show sa after the changes:\n" + n1.admin("show sa"));
            Awaits.noBuffersInUse(n1, t::diagnostics);
            Awaits.noBuffersInUse(n2, t::diagnostics);
        }
    }

    private static void reload(NodeTestbed t, LabNode n, String original, int configured, int count) throws Exception {
        Files.writeString(n.config(), withTunnels(original, configured, count));
        String answer = n.admin("reload");
        // The file watch may have applied it first: then the reload finds nothing to do.
        assertTrue(answer.startsWith("reload: applied") || answer.equals("reload: no changes\n"),
                () -> n.name() + ": " + answer + t.diagnostics());
    }

    private static String withTunnels(String config, int configured, int count) {
        String from = ", tunnels = " + configured + " }";
        assertTrue(config.contains(from), config);
        return config.replace(from, ", tunnels = " + count + " }");
    }

    private static String shown(LabNode n) {
        try {
            return n.admin("show tunnels");
        } catch (java.io.IOException e) {
            return "show tunnels failed: " + e;
        }
    }

    /** Rows of {@code show tunnels} toward {@code peer}. */
    private static long tunnels(LabNode n, String peer) throws Exception {
        Pattern row = Pattern.compile("\\d+\\s+" + peer + "/\\d+\\s.*");
        return n.admin("show tunnels").lines().filter(l -> row.matcher(l).matches()).count();
    }
}
