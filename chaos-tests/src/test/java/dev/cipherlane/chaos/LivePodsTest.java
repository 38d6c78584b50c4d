package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.InterfaceState;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Ping;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pods come and go on a running encrypted node while byte-checked streams cross between the
 * nodes: a hundred reloads add and remove a pod of the config file (with a stage parameter
 * changed beside it), and {@code ctl pod add|del}, what a CNI plugin calls, attaches and
 * detaches another, which reaches a pod on the other node through the tunnel each time. The
 * streams, whose pods no change touches, arrive intact, and the dataplane is never rebuilt
 * for any of it. Pods the API added come back after a restart; bad requests change nothing.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LivePodsTest {
    private static final long MIB = 1 << 20;
    private static final long RATE = 4 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final Duration SENDING = Duration.ofSeconds(70);
    private static final int RELOADS = 100;
    private static final int API_CYCLES = 10;
    private static final String STARTED = "dataplane running:";

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void podsComeAndGoWithoutTouchingOtherFlows() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(LabSpec.defaults().withPodsPerNode(1).withIpsec(LabIpsec.ON))) {
            LabNode n1 = t.node(1);
            String original = Files.readString(n1.config());
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            LabPod viaApi = t.lab().extraPod(1, 3);
            LabPod viaFile = t.lab().extraPod(1, 4);
            CheckedStream there = t.closeLater(CheckedStream.between("pods-n1-to-n2", a, b, b.address4(), 7711,
                    RATE * SENDING.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(SENDING).start();
            CheckedStream back = t.closeLater(CheckedStream.between("pods-n2-to-n1", b, a, a.address4(), 7712,
                    RATE * SENDING.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(SENDING).start();

            String add = "pod add " + viaApi.name() + " netns " + viaApi.netns() + " address " + viaApi.ip4()
                    + " address " + viaApi.ip6();
            for (int i = 0; i < API_CYCLES; i++) {
                String added = n1.admin(add);
                assertTrue(added.startsWith("pod " + viaApi.name() + ": attached as interface "), () -> added + t.diagnostics());
                assertTrue(n1.admin("show pods").contains(viaApi.name()), n1::log);
                Ping.Result ping = Ping.firstReply(viaApi.netns(), b.ip4(), 10);
                assertTrue(ping.received() > 0, () -> "the added pod reaches n2's pod through the tunnel: " + ping
                        + "\n" + t.diagnostics());
                String deleted = n1.admin("pod del " + viaApi.name());
                assertEquals("pod " + viaApi.name() + ": detached, its tap destroyed\n", deleted);
                assertFalse(n1.admin("show pods").contains(viaApi.name()), n1::log);
                assertTrue(InterfaceState.of(viaApi.netns(), LabNode.POD_INTERFACE) == null,
                        "the deleted pod's tap is gone");
            }

            String extra = "\ncipherlane.pods += { name = \"" + viaFile.name() + "\", netns = \"" + viaFile.netns()
                    + "\", addresses = [\"" + viaFile.ip4() + "\", \"" + viaFile.ip6() + "\"] }\n";
            for (int i = 0; i < RELOADS; i++) {
                boolean with = i % 2 == 0;
                Files.writeString(n1.config(), original + (with ? extra : "")
                        + "\ncipherlane.dataplane.trace.max-packets = " + (10 + i) + "\n");
                String answer = n1.admin("reload");
                // The file watch may have applied it first: then the reload finds nothing to do.
                assertTrue(answer.startsWith("reload: applied") || answer.equals("reload: no changes\n"),
                        () -> answer + t.diagnostics());
                String pods = n1.admin("show pods");
                assertEquals(with, pods.contains(viaFile.name()), () -> pods + n1.log());
                if (i == 0) {
                    Ping.Result ping = Ping.firstReply(viaFile.netns(), b.ip4(), 10);
                    assertTrue(ping.received() > 0, () -> "the reloaded pod reaches n2's pod: " + ping + t.diagnostics());
                }
            }

            // Bad requests change nothing and say why.
            String pods = n1.admin("show pods");
            assertTrue(n1.admin("pod del " + a.name()).startsWith("error: pod del: pod " + a.name()
                    + " comes from the config file"));
            assertTrue(n1.admin("pod del no-such-pod").startsWith("error: pod del: no pod named no-such-pod"));
            assertTrue(n1.admin("pod add " + viaApi.name() + " netns " + viaApi.netns() + " address " + a.ip4())
                    .startsWith("error: pod add: "), "an address another pod has");
            assertTrue(n1.admin("pod add bad_name netns x address 10.1.1.30").startsWith("error: pod add: "));
            assertTrue(n1.admin("pod add p9 netns no-such-namespace address 10.1.1.39").startsWith("error: pod add: "));
            assertTrue(n1.admin("pod add p9 address").startsWith("error: pod: "));
            assertEquals(pods, n1.admin("show pods"));

            for (CheckedStream s : new CheckedStream[] {there, back}) {
                CheckedStream.Result r = s.await(SENDING.plusMinutes(1));
                System.out.println("LivePodsTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }
            assertEquals(1, n1.log().split(STARTED, -1).length - 1,
                    () -> "no pod change rebuilt the dataplane:\n" + n1.log());

            // A pod the API added is attached again by the next start, its tap kept.
            assertTrue(n1.admin(add).startsWith("pod " + viaApi.name() + ": attached"));
            n1.stop();
            n1.startAndAwait();
            assertTrue(n1.admin("show pods").contains(viaApi.name()), n1::log);
            Ping.Result ping = Ping.firstReply(viaApi.netns(), b.ip4(), 10);
            assertTrue(ping.received() > 0, () -> "after the restart: " + ping + t.diagnostics());
            Awaits.noBuffersInUse(n1, t::diagnostics);
        }
    }
}
