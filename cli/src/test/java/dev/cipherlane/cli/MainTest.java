package dev.cipherlane.cli;

import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.supervisor.Version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MainTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown key  | cipherlane.dataplane.wrokers = 2 | 2: cipherlane.dataplane.wrokers: expected one of workers, buffers,"
                + " ring-size, trace, idle, fault-injection (did you mean workers?), got an unknown key",
        "wrong type   | cipherlane.dataplane.workers = many | 2: cipherlane.dataplane.workers: expected an integer in 1..64,"
                + " got \"many\"",
        "out of range | cipherlane.neighbour.max-entries = 8 | 2: cipherlane.neighbour.max-entries: expected an integer in"
                + " 16..1048576, got 8",
    })
    void runRefusesABadConfigWithOneLineAndStatusTwo(String kind, String setting, String problem) throws IOException {
        Path config = Files.writeString(dir.resolve("bad.conf"), "# node config\n" + setting + "\n");
        CommandRun run = CommandRun.of("run", "--config", config.toString());
        assertEquals(ExitStatus.CONFIG_INVALID, run.status());
        assertEquals(config + ":" + problem + "\n", run.err());
        assertEquals("", run.out());
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("cipherlane-pekko")),
                "an actor system was started for a config that was refused");
    }

    @Test
    void runListsEveryProblem() throws IOException {
        Path config = Files.writeString(dir.resolve("bad.conf"), """
                cipherlane.dataplane.workers = 0
                cipherlane.dataplane.ring-size = 100
                """);
        CommandRun run = CommandRun.of("run", "--config", config.toString());
        assertEquals(ExitStatus.CONFIG_INVALID, run.status());
        assertEquals(config + ":1: cipherlane.dataplane.workers: expected an integer in 1..64, got 0\n"
                + config + ":2: cipherlane.dataplane.ring-size: expected a power of two in 64..65536, got 100\n", run.err());
    }

    @Test
    void runWithAMissingFile() {
        Path config = dir.resolve("absent.conf");
        CommandRun run = CommandRun.of("run", "--config", config.toString());
        assertEquals(ExitStatus.CONFIG_INVALID, run.status());
        assertEquals(config + ": expected a config file, got no such file\n", run.err());
    }

    @Test
    void runWithoutConfigIsAUsageError() {
        CommandRun run = CommandRun.of("run");
        assertEquals(ExitStatus.FAILURE, run.status());
        assertEquals("cipherlane: Missing required option: '--config=<file>' (see 'cipherlane run --help')\n", run.err());
    }

    @Test
    void versionPrintsTheBuildVersion() {
        CommandRun run = CommandRun.of("version");
        assertEquals(ExitStatus.OK, run.status());
        assertEquals("cipherlane " + Version.current() + "\n", run.out());
        assertTrue(Version.current().matches("\\d+\\.\\d+\\.\\d+.*"), "version resource was not filled in: " + Version.current());
        assertEquals(run.out(), CommandRun.of("--version").out());
    }

    @Test
    void ctlWithNobodyListening() {
        Path socket = dir.resolve("admin.sock");
        CommandRun run = CommandRun.of("ctl", "--socket", socket.toString(), "version");
        assertEquals(ExitStatus.FAILURE, run.status());
        assertEquals("cipherlane: no node service listening on " + socket + "\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    void ctlFindsTheSocketInTheConfigFile() throws IOException {
        Path socket = dir.resolve("run/admin.sock");
        Path config = Files.writeString(dir.resolve("node.conf"), "cipherlane.admin.socket = \"" + socket + "\"\n");
        CommandRun run = CommandRun.of("ctl", "--config", config.toString(), "show", "config");
        assertEquals(ExitStatus.FAILURE, run.status());
        assertEquals("cipherlane: no node service listening on " + socket + "\n", run.err());
    }

    @Test
    void ctlReportsAStaleSocketAsNobodyListening() throws IOException {
        Path socket = dir.resolve("admin.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "closing a unix socket leaves its file behind, as a crash would");
        assertEquals("cipherlane: no node service listening on " + socket + "\n",
                CommandRun.of("ctl", "--socket", socket.toString(), "version").err());
    }

    @Test
    void ctlTakesEitherSocketOrConfig() {
        CommandRun run = CommandRun.of("ctl", "--socket", "/a", "--config", "/b", "version");
        assertEquals(ExitStatus.FAILURE, run.status());
        assertTrue(run.err().startsWith("cipherlane: Error: --socket=<path>, --config=<file> are mutually exclusive"), run.err());
    }

    @Test
    void bareCommandShowsUsage() {
        CommandRun run = CommandRun.of();
        assertEquals(ExitStatus.FAILURE, run.status());
        assertTrue(run.err().startsWith("Usage: cipherlane"), run.err());
        for (String subcommand : new String[] {"run", "ctl", "version", "demo"}) {
            assertTrue(run.err().contains("  " + subcommand + " "), subcommand + " missing from\n" + run.err());
        }
    }
}
