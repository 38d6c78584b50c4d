package dev.cipherlane.supervisor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.MetricsListen;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.linux.UnixRequest;
import dev.cipherlane.supervisor.admin.AdminListener;
import dev.cipherlane.testbed.PrometheusScrape;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeGuardianTest {

    static final ActorTestKit TEST_KIT = ActorTestKit.create(PekkoConfig.load());

    @TempDir
    Path dir;

    @AfterAll
    static void stopTestKit() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void servesTheAdminSocketUntilStopped() throws Exception {
        Path socket = dir.resolve("admin.sock");
        CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        var guardian = TEST_KIT.spawn(NodeGuardian.create(TestSettings.withSocket(socket), fatal));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
        assertEquals("cipherlane " + Version.current() + "\n", UnixRequest.request(socket, "version", Duration.ofSeconds(5)));

        TestProbe<Void> probe = TEST_KIT.createTestProbe();
        TEST_KIT.stop(guardian);
        probe.expectTerminated(guardian);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(socket));
        assertFalse(fatal.isDone(), "a requested stop is not a failure");
    }

    @Test
    void stopsWithTheReasonWhenTheSocketIsTaken() throws Exception {
        Path socket = dir.resolve("admin.sock");
        AdminListener other = AdminListener.bind(socket);
        try {
            NodeSettings settings = TestSettings.withSocket(socket);
            CompletableFuture<Throwable> fatal = new CompletableFuture<>();
            var guardian = TEST_KIT.spawn(NodeGuardian.create(settings, fatal));
            Throwable reason = fatal.get(10, TimeUnit.SECONDS);
            assertEquals("cannot serve the admin socket " + socket + ": another node service is already listening on it",
                    reason.getMessage());
            TEST_KIT.createTestProbe().expectTerminated(guardian);
        } finally {
            other.close();
        }
    }

    private static MetricsListen freeLoopbackPort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return MetricsListen.parse("127.0.0.1:" + probe.getLocalPort());
        }
    }

    @Test
    void servesMetricsWhileRunningAndClosesThemAtStop() throws Exception {
        Path socket = dir.resolve("admin.sock");
        MetricsListen metrics = freeLoopbackPort();
        CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        var guardian = TEST_KIT.spawn(NodeGuardian.create(TestSettings.withSocketAndMetrics(socket, metrics), fatal));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
        List<PrometheusScrape.Sample> samples = PrometheusScrape.scrape("http://" + metrics + "/metrics");
        assertEquals(List.of("cipherlane_dataplane_up"), samples.stream().map(PrometheusScrape.Sample::name).toList());

        TEST_KIT.stop(guardian);
        TEST_KIT.createTestProbe().expectTerminated(guardian);
        // Stopped with the node: the address is free for the next one.
        try (ServerSocket again = new ServerSocket(metrics.port(), 1, InetAddress.getLoopbackAddress())) {
            assertEquals(metrics.port(), again.getLocalPort());
        }
        assertFalse(fatal.isDone(), "a requested stop is not a failure");
    }

    @Test
    void stopsWithTheReasonWhenTheMetricsAddressIsTaken() throws Exception {
        Path socket = dir.resolve("admin.sock");
        MetricsListen metrics = freeLoopbackPort();
        try (ServerSocket taken = new ServerSocket(metrics.port(), 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Throwable> fatal = new CompletableFuture<>();
            var guardian = TEST_KIT.spawn(NodeGuardian.create(TestSettings.withSocketAndMetrics(socket, metrics), fatal));
            Throwable reason = fatal.get(10, TimeUnit.SECONDS);
            assertTrue(reason.getMessage().startsWith("cannot serve metrics on " + metrics + ": "), reason.getMessage());
            TEST_KIT.createTestProbe().expectTerminated(guardian);
            // The admin socket bound before it is given back too.
            await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(socket));
        }
    }
}
