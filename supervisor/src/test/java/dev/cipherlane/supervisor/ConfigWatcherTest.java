package dev.cipherlane.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.NodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue: there was no way to change a running node's config; ConfigDiff was used by tests only. */
class ConfigWatcherTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @TempDir
    Path dir;

    @AfterAll
    static void shutDown() {
        KIT.shutdownTestKit();
    }

    private record Node(Path file, AtomicReference<NodeSettings> running, ActorRef<ConfigWatcher.Command> watcher) {}

    /** A watcher that checks its file only when asked, so a test's reload is never beaten to it. */
    private Node start(String content) throws Exception {
        return start(content, Duration.ofHours(1));
    }

    private Node start(String content, Duration checkEvery) throws Exception {
        Path file = Files.writeString(dir.resolve("node.conf"), content);
        AtomicReference<NodeSettings> running = new AtomicReference<>(NodeConfigLoader.load(file));
        return new Node(file, running, KIT.spawn(ConfigWatcher.create(file, running, null, checkEvery)));
    }

    private static String reload(Node n) {
        TestProbe<String> probe = KIT.createTestProbe();
        n.watcher().tell(new ConfigWatcher.Reload(probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(5));
    }

    @Test
    void aReloadAppliesWhatARunningNodeChangesInPlace() throws Exception {
        Node n = start("cipherlane.dataplane.trace.max-packets = 100\n");
        assertEquals("reload: no changes\n", reload(n));
        Files.writeString(n.file(), "cipherlane.dataplane.trace.max-packets = 5\ncipherlane.neighbour.reachable-time = 10s\n");
        String answer = reload(n);
        assertTrue(answer.startsWith("reload: applied 2 change(s):\n"), answer);
        assertTrue(answer.contains("cipherlane.dataplane.trace.max-packets"), answer);
        assertEquals(5, n.running().get().dataplane().traceMaxPackets());
        assertEquals(Duration.ofSeconds(10), n.running().get().neighbour().reachableTime());
    }

    @Test
    void anInvalidFileChangesNothingAndSaysWhereItIsWrong() throws Exception {
        Node n = start("cipherlane.dataplane.trace.max-packets = 100\n");
        NodeSettings before = n.running().get();
        Files.writeString(n.file(), "cipherlane.dataplane.trace.max-packets = 5\ncipherlane.dataplane.workers = 0\n");
        String answer = reload(n);
        assertEquals("error: reload refused, the running config stays:\n" + n.file()
                + ":2: cipherlane.dataplane.workers: expected an integer in 1..64, got 0\n", answer);
        assertEquals(before, n.running().get(), "not even the valid line was applied");
    }

    @Test
    void aBatchWithAChangeThatTakesARestartChangesNothing() throws Exception {
        Node n = start("cipherlane.dataplane.trace.max-packets = 100\n");
        NodeSettings before = n.running().get();
        Files.writeString(n.file(), "cipherlane.dataplane.trace.max-packets = 5\ncipherlane.dataplane.workers = 2\n");
        String answer = reload(n);
        assertEquals("error: reload refused, nothing changed: these changes take a restart of the service:\n"
                + "  ~ cipherlane.dataplane.workers: 1 -> 2\n", answer);
        assertEquals(before, n.running().get());
    }

    @Test
    void aChangedFileIsReloadedWithoutBeingAsked() throws Exception {
        Node n = start("cipherlane.dataplane.trace.max-packets = 100\n", ConfigWatcher.CHECK_EVERY);
        Files.writeString(n.file(), "cipherlane.dataplane.trace.max-packets = 7\n");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> n.running().get().dataplane().traceMaxPackets() == 7);
        // A broken save is refused once, and the running config stays.
        Files.writeString(n.file(), "cipherlane.dataplane.trace.max-packets = seven\n");
        Awaitility.await().pollDelay(Duration.ofMillis(3 * ConfigWatcher.CHECK_EVERY.toMillis()))
                .atMost(Duration.ofSeconds(10)).until(() -> true);
        assertEquals(7, n.running().get().dataplane().traceMaxPackets());
    }
}
