package dev.cipherlane.cli;

import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.supervisor.Version;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.UnixRequest;
import dev.cipherlane.supervisor.admin.AdminListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cipherlane.supervisor.admin.views.ViewJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `cipherlane run` as its own process, because signals and exit statuses are only real
 * there: this test JVM must not install signal handlers or call System.exit.
 */
class RunProcessTest {

    @TempDir
    Path dir;

    private Process start(Path config) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", config.toString()));
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
    }

    private Path config(Path socket) throws IOException {
        return Files.writeString(dir.resolve("node.conf"), """
                cipherlane.node.name = "proc-test"
                cipherlane.admin.socket = "%s"
                """.formatted(socket));
    }

    @Test
    void servesUntilSigtermThenExitsZeroAndCleansUp() throws Exception {
        Path socket = dir.resolve("admin.sock");
        Process node = start(config(socket));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(socket) || !node.isAlive());
            assertTrue(node.isAlive(), () -> "node exited early: " + read("err.txt"));
            assertEquals("cipherlane " + Version.current() + "\n", UnixRequest.request(socket, "version", Duration.ofSeconds(10)));
            // What an operator types gets the service's reply on stdout and nothing on stderr.
            CommandRun ctl = CommandRun.of("ctl", "--socket", socket.toString(), "version");
            assertEquals(ExitStatus.OK, ctl.status(), ctl::err);
            assertEquals("cipherlane " + Version.current() + "\n", ctl.out());
            assertEquals("", ctl.err());
            // --json: one JSON document, read back with Jackson.
            CommandRun version = CommandRun.of("ctl", "--socket", socket.toString(), "version", "--json");
            assertEquals(ExitStatus.OK, version.status(), version::err);
            JsonNode v = ViewJson.mapper().readTree(version.out());
            assertEquals(Version.current(), v.get("version").asText());
            assertEquals("v1", v.get("protocol").asText());
            CommandRun config = CommandRun.of("ctl", "--socket", socket.toString(), "show", "config", "--json");
            assertEquals(ExitStatus.OK, config.status(), config::err);
            List<String> names = new ArrayList<>();
            for (JsonNode row : ViewJson.mapper().readTree(config.out()).get("settings")) {
                if (row.get("path").asText().equals("cipherlane.node.name")) {
                    names.add(row.get("value").asText());
                }
            }
            assertEquals(List.of("proc-test"), names);
            // Errors go to stderr as one line, and ctl fails: scripts see it.
            CommandRun tunnels = CommandRun.of("ctl", "--socket", socket.toString(), "show", "tunnels", "--json");
            assertEquals(ExitStatus.FAILURE, tunnels.status());
            assertEquals("cipherlane: the dataplane is not running\n", tunnels.err());
            assertEquals("", tunnels.out());
            CommandRun bad = CommandRun.of("ctl", "--socket", socket.toString(), "show", "tunnels", "now");
            assertEquals(ExitStatus.FAILURE, bad.status());
            assertEquals("cipherlane: show tunnels takes no arguments, only --json; got show tunnels now\n", bad.err());

            node.destroy(); // SIGTERM
            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node did not stop on SIGTERM");
            assertEquals(ExitStatus.OK, node.exitValue(), () -> read("err.txt"));
            assertFalse(Files.exists(socket), "socket file left behind");
            String err = read("err.txt");
            assertFalse(err.contains("WARN") || err.contains("ERROR") || err.contains("SLF4J") || err.contains("Exception"),
                    "avoidable noise on stderr:\n" + err);
            assertEquals("", read("out.txt"));
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void refusesToShareASocketWithALiveService() throws Exception {
        Path socket = dir.resolve("admin.sock");
        AdminListener other = AdminListener.bind(socket);
        try {
            Process node = start(config(socket));
            try {
                assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node should give up on a taken socket");
                assertEquals(ExitStatus.FAILURE, node.exitValue());
                List<String> lines = read("err.txt").lines().toList();
                assertEquals("cipherlane: cannot serve the admin socket " + socket
                        + ": another node service is already listening on it", lines.getLast());
                assertTrue(Files.exists(socket), "the other service's socket must survive");
            } finally {
                node.destroyForcibly();
            }
        } finally {
            other.close();
        }
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(cannot read " + name + ": " + e + ")";
        }
    }
}
