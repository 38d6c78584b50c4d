package dev.cipherlane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.supervisor.ExitStatus;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: ctl passes stage commands through, the upgrade's jar as an absolute path. */
class CtlStageTest {
    @TempDir
    Path dir;

    @Test
    void stageUpgradeSendsTheJarAsAnAbsolutePath() throws Exception {
        assertEquals("v1 stage upgrade ip4-lookup --jar " + Path.of("rel/x.jar").toAbsolutePath(),
                requestOf("stage", "upgrade", "ip4-lookup", "--jar", "rel/x.jar"));
        assertEquals("v1 stage swap ip4-lookup frame-cache", requestOf("stage", "swap", "ip4-lookup", "frame-cache"));
    }

    /** The request line ctl sends for {@code words}, as a server on a socket of our own reads it. */
    private String requestOf(String... words) throws Exception {
        Path socket = dir.resolve("admin-" + System.nanoTime() + ".sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> answerOne(server));
            String[] args = new String[words.length + 3];
            args[0] = "ctl";
            args[1] = "--socket";
            args[2] = socket.toString();
            System.arraycopy(words, 0, args, 3, words.length);
            CommandRun run = CommandRun.of(args);
            assertEquals(ExitStatus.OK, run.status(), run::err);
            assertEquals("ok\n", run.out());
            return request.get();
        }
    }

    private static String answerOne(ServerSocketChannel server) {
        try (SocketChannel c = server.accept()) {
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (b.position() == 0 || b.get(b.position() - 1) != '\n') {
                if (c.read(b) < 0) {
                    break;
                }
            }
            String line = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            c.write(ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.UTF_8)));
            return line;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
