package dev.cipherlane.supervisor.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.linux.UnixRequest;
import dev.cipherlane.config.SettingsRenderer;
import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.supervisor.PekkoConfig;
import dev.cipherlane.supervisor.TestSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over a real unix socket: what clients get back, and how the socket file is kept. */
class AdminServerTest {

    static final ActorTestKit TEST_KIT = ActorTestKit.create(PekkoConfig.load());
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    Path socket;
    NodeSettings settings;
    ActorRef<AdminServer.Command> server;

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("run/cipherlane/admin.sock");
        settings = TestSettings.withSocket(socket);
        server = TEST_KIT.spawn(AdminServer.create(AdminListener.bind(socket), new AdminCommands(settings, "9.9.9")));
    }

    @AfterEach
    void stop() {
        TEST_KIT.stop(server);
    }

    @AfterAll
    static void stopTestKit() {
        TEST_KIT.shutdownTestKit();
    }

    private String ask(String line) throws IOException {
        return UnixRequest.request(socket, line, TIMEOUT);
    }

    @Test
    void answersKnownAndUnknownCommands() throws IOException {
        assertEquals("cipherlane 9.9.9\n", ask("version"));
        assertEquals(SettingsRenderer.render(settings), ask("show config"));
        assertEquals("error: unknown command reboot now; known commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", ask("reboot now"));
    }

    @Test
    void socketIsOwnerOnly() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void refusesAnOversizedRequest() throws IOException {
        assertEquals("error: request longer than 4096 bytes\n", ask("x".repeat(AdminListener.MAX_REQUEST_BYTES + 1)));
        assertEquals("error: unknown command " + "x".repeat(10) + "; known commands: " + String.join(", ", AdminCommands.KNOWN) + "\n", ask("x".repeat(10)));
    }

    @Test
    void refusesBytesThatAreNotUtf8() throws IOException {
        assertEquals("error: request is not UTF-8 text\n", exchange(new byte[] {'v', (byte) 0xff, (byte) 0xfe, '\n'}));
    }

    /** Issue 12: malformed requests get one-line errors and leave the node serving. */
    @Test
    void garbageGetsOneLineErrorsAndDisturbsNothing() throws IOException {
        byte[] binary = new byte[600];
        new java.util.Random(12).nextBytes(binary);
        binary[599] = '\n';
        List<byte[]> garbage = List.of(new byte[0], "\n".getBytes(StandardCharsets.UTF_8), binary,
                new byte[] {0, 1, 2, 3, '\n'}, "v7 version\n".getBytes(StandardCharsets.UTF_8),
                "show sa please\n".getBytes(StandardCharsets.UTF_8),
                "x".repeat(AdminListener.MAX_REQUEST_BYTES * 3).getBytes(StandardCharsets.UTF_8));
        for (byte[] g : garbage) {
            String reply = exchange(g);
            assertTrue(reply.startsWith("error: ") && reply.indexOf('\n') == reply.length() - 1, reply);
            assertEquals("cipherlane 9.9.9\n", ask("version"));
        }
        assertEquals("cipherlane 9.9.9\n", ask("v1 version"));
    }

    @Test
    void readsOnlyTheFirstLine() throws IOException {
        assertEquals("cipherlane 9.9.9\n", exchange("version\nshow config\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSilentClientDelaysNobodyAndIsCutOff() throws IOException {
        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertEquals("cipherlane 9.9.9\n", ask("version"));
            ByteBuffer buffer = ByteBuffer.allocate(64);
            long started = System.nanoTime();
            int read = silent.read(buffer);
            assertEquals(-1, read, "the server should close a connection that sends nothing");
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(AdminListener.CLIENT_DEADLINE.multipliedBy(3)) < 0);
        }
    }

    @Test
    void stoppingRemovesTheSocketFile() throws IOException {
        assertTrue(Files.exists(socket));
        TEST_KIT.stop(server);
        await().atMost(TIMEOUT).until(() -> !Files.exists(socket));
        assertThrows(UnixRequest.NotListeningException.class, () -> ask("version"));
    }

    @Test
    void aLiveSocketIsNotTakenOver() {
        IOException refused = assertThrows(IOException.class, () -> AdminListener.bind(socket));
        assertEquals("another node service is already listening on it", refused.getMessage());
    }

    @Test
    void aStaleSocketIsReplaced() throws IOException {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale));
        try (AdminListener listener = AdminListener.bind(stale)) {
            assertTrue(Files.exists(listener.socket()));
        }
        assertTrue(Files.notExists(stale), "closing removes the file");
    }

    @Test
    void aFileThatIsNotASocketIsLeftAlone() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        IOException refused = assertThrows(IOException.class, () -> AdminListener.bind(file));
        assertEquals(file + " exists and is not a socket", refused.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    /** Sends raw bytes and reads the whole reply. */
    private String exchange(byte[] request) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer bytes = ByteBuffer.wrap(request);
            while (bytes.hasRemaining()) {
                client.write(bytes);
            }
            // As UnixRequest does: the end of the request is the end of the stream too.
            client.shutdownOutput();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            while (client.read(buffer) >= 0) {
                reply.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return reply.toString(StandardCharsets.UTF_8);
        }
    }
}
