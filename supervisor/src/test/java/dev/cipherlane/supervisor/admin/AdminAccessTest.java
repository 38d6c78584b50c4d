package dev.cipherlane.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.linux.UnixRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only root and the service's user reach the admin API: the socket's directory is private
 * or refused, and a connection from anyone else is refused on its peer credentials even when
 * the socket file's mode would let them in.
 */
class AdminAccessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static AdminListener serving(Path socket) throws IOException {
        AdminListener l = AdminListener.bind(socket);
        l.serve(request -> CompletableFuture.completedFuture("answer to " + request));
        return l;
    }

    @Test
    void aMissingDirectoryIsCreatedOwnerOnly() throws IOException {
        Path socket = dir.resolve("run/cipherlane/admin.sock");
        try (AdminListener l = serving(socket)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("answer to version\n", UnixRequest.request(socket, "version", TIMEOUT));
        }
    }

    @Test
    void aDirectoryOthersMayWriteIsRefused() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> AdminListener.bind(open.resolve("admin.sock")));
        assertTrue(e.getMessage().contains(open + " has mode rwxrwxrwx"), e::getMessage);
        assertTrue(Files.notExists(open.resolve("admin.sock")));
    }

    @Test
    void aLinkedDirectoryIsRefused() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        IOException e = assertThrows(IOException.class, () -> AdminListener.bind(link.resolve("admin.sock")));
        assertTrue(e.getMessage().contains(link + " is a symbolic link"), e::getMessage);
        try (var s = Files.list(real)) {
            assertEquals(List.of(), s.toList(), "nothing was bound through the link");
        }
    }

    @Test
    void onlyRootAndTheServiceUserMayTalk() throws IOException {
        assertNull(PeerCheck.refusal(PeerCheck.ROOT));
        assertNull(PeerCheck.refusal(PeerCheck.SELF));
        var nobody = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        assumeTrue(!nobody.equals(PeerCheck.SELF), "the tests run as nobody");
        assertEquals("permission denied: user nobody may not use the admin API (only root and " + PeerCheck.SELF.getName()
                + ")", PeerCheck.refusal(nobody));
    }

    /** Issue: the socket was reachable by anyone between bind and chmod, and connections were never checked. */
    @Tag("root")
    @Test
    void nobodyCannotConnectEvenThroughALooseSocketMode() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run a client as nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs setpriv and python3");
        Path home = Files.createDirectory(dir.resolve("srv"));
        // Traversable, so only the socket's own mode and the peer check stand in nobody's way.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
        Path socket = home.resolve("admin.sock");
        try (AdminListener l = serving(socket)) {
            String denied = asNobody(socket);
            assertTrue(denied.contains("PermissionError"), denied);
            // Someone loosens the file's mode: the kernel lets nobody connect, the service does not answer it.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            String refused = asNobody(socket);
            assertTrue(refused.contains("error: permission denied: user nobody may not use the admin API"), refused);
            assertNotEquals(-1, refused.indexOf("reply:"), refused);
            assertEquals("answer to version\n", UnixRequest.request(socket, "version", TIMEOUT), "root still served");
        }
    }

    /** What a client running as nobody saw: "reply:" and the answer, or Python's error. */
    private static String asNobody(Path socket) throws Exception {
        String client = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(sys.argv[1])
                    s.sendall(b"version\\n")
                    s.shutdown(socket.SHUT_WR)
                    data = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    print("reply:" + data.decode())
                except OSError as e:
                    print(type(e).__name__ + ": " + str(e))
                """;
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "/usr/bin/python3", "-c", client, socket.toString()).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "client as nobody did not finish");
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
