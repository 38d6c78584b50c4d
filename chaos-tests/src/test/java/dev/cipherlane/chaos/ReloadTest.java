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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Live reconfiguration on a running encrypted node: while byte-checked streams cross between
 * the nodes, node 1 is reloaded a hundred times with changes it makes in place (the trace's
 * bound, the workers' spin, the neighbour reachable time), once with a file that fails
 * validation, once with a change that needs a restart, once with changes its dataplane is
 * rebuilt for, and once with a config whose dataplane cannot start. The streams arrive
 * intact, the applied values show in {@code show config} and take effect, the refused reloads
 * change nothing and say why, and the failed rebuild leaves the previous config running.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReloadTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 48 * MIB;
    private static final long RATE = 8 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);
    private static final int RELOADS = 100;

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void reloadsDuringAStreamApplyInPlaceOrChangeNothing() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(LabSpec.defaults().withPodsPerNode(1).withIpsec(LabIpsec.ON))) {
            LabNode n1 = t.node(1);
            String original = Files.readString(n1.config());
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            CheckedStream there = t.closeLater(CheckedStream.between("reload-n1-to-n2", a, b, b.address4(), 7701,
                    STREAM_BYTES, RATE, STALL_LIMIT)).start();
            CheckedStream back = t.closeLater(CheckedStream.between("reload-n2-to-n1", b, a, a.address4(), 7702,
                    STREAM_BYTES, RATE, STALL_LIMIT)).start();

            for (int i = 0; i < RELOADS; i++) {
                int traced = 10 + i;
                Files.writeString(n1.config(), original + "\ncipherlane.dataplane.trace.max-packets = " + traced
                        + "\ncipherlane.dataplane.idle.spin-polls = " + (i % 2 == 0 ? 0 : 5000)
                        + "\ncipherlane.neighbour.reachable-time = " + (20 + i % 3) + "s\n");
                String answer = n1.admin("reload");
                // The file watch may have applied it first: then the reload finds nothing to do.
                assertTrue(answer.startsWith("reload: applied") || answer.equals("reload: no changes\n"),
                        () -> answer + t.diagnostics());
                assertTrue(n1.admin("show config").contains("trace.max-packets = " + traced), n1::log);
            }
            String bounded = n1.admin("trace add 1000");
            assertEquals("error: trace add: expected a packet count in 1.." + (10 + RELOADS - 1)
                    + " (dataplane.trace.max-packets), got 1000\n", bounded);

            String config = n1.admin("show config");
            Files.writeString(n1.config(), "\ncipherlane.dataplane.workers = 0\n", StandardOpenOption.APPEND);
            String invalid = n1.admin("reload");
            assertTrue(invalid.startsWith("error: reload refused, the running config stays:\n" + n1.config() + ":"),
                    invalid);
            assertTrue(invalid.contains("cipherlane.dataplane.workers: expected an integer in 1..64, got 0"), invalid);
            assertEquals(config, n1.admin("show config"));

            Files.writeString(n1.config(), original + "\ncipherlane.dataplane.workers = 2\n");
            String restart = n1.admin("reload");
            assertTrue(restart.startsWith("error: reload refused, nothing changed: these changes take a restart"), restart);
            assertTrue(restart.contains("dataplane.workers"), restart);
            assertEquals(config, n1.admin("show config"));

            // A swapped stage stays swapped through the rebuild below.
            String swap = n1.admin("stage swap ip4-lookup frame-cache");
            assertTrue(swap.startsWith("ip4-lookup: builtin"), swap);

            // A change the dataplane is rebuilt for, under the streams: same taps, same uplink, same SAs.
            Files.writeString(n1.config(), original + "\ncipherlane.dataplane.buffers.small = 32768\n"
                    + "cipherlane.neighbour.max-entries = 2048\n");
            String rebuilt = n1.admin("reload");
            // The file watch may have rebuilt it first: then the reload finds nothing left to do.
            assertTrue(rebuilt.startsWith("reload: applied") || rebuilt.equals("reload: no changes\n"),
                    () -> rebuilt + t.diagnostics());
            assertTrue(n1.admin("show config").contains("buffers.small = 32768"), n1::log);
            String stages = n1.admin("show stages");
            assertTrue(stages.matches("(?s).*\\nip4-lookup +frame-cache .*"), () -> "the swap was carried over:\n" + stages);

            // One whose dataplane cannot start: the previous config's runs again.
            Files.writeString(n1.config(), original + "\ncipherlane.dataplane.buffers.small = 32768\n"
                    + "cipherlane.neighbour.max-entries = 2048\n"
                    + "cipherlane.dataplane.fault-injection.stage = \"no-such-stage\"\n");
            String failed = n1.admin("reload");
            assertTrue(failed.startsWith("error: reload failed, every change undone, the running config stays:"), failed);
            assertTrue(failed.contains("no-such-stage"), failed);
            assertTrue(n1.admin("show config").contains("buffers.small = 32768"), n1::log);
            assertTrue(n1.admin("show health").startsWith("ok: 1 workers running"), () -> t.diagnostics());

            for (CheckedStream s : new CheckedStream[] {there, back}) {
                CheckedStream.Result r = s.await(STREAM_LIMIT);
                System.out.println("ReloadTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }
            Awaits.noBuffersInUse(n1, t::diagnostics);
        }
    }
}
