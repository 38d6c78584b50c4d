package dev.cipherlane.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A request over a unix stream socket as the node's admin protocol makes them: one line out,
 * everything until the peer closes back, within a deadline. The operator's {@code ctl}, the CNI
 * plugin and the test lab all talk to a node this way.
 */
public final class UnixRequest {

    /** Generous, for commands that will wait on the dataplane (reload, stage swaps). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private UnixRequest() {
    }

    /**
     * @throws NotListeningException if no service accepts connections on {@code socket}
     * @throws IOException           if the exchange fails or takes longer than {@code timeout}
     */
    public static String request(Path socket, String line, Duration timeout) throws IOException {
        SocketChannel channel = connect(socket);
        // A service that accepted but hangs must not hang the operator's shell too.
        CompletableFuture<Void> deadline = CompletableFuture.runAsync(() -> {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already closing is as good as closed.
            }
        }, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
        try (channel) {
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                reply.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return reply.toString(StandardCharsets.UTF_8);
        } catch (AsynchronousCloseException e) {
            throw new IOException("no answer from the node service on " + socket + " within " + timeout.toSeconds() + "s", e);
        } finally {
            deadline.cancel(false);
        }
    }

    private static SocketChannel connect(Path socket) throws IOException {
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException e) {
            // A socket file nobody listens on: the service died without removing it.
            throw new NotListeningException(socket, e);
        } catch (SocketException e) {
            if (!Files.exists(socket)) {
                throw new NotListeningException(socket, e);
            }
            throw e;
        }
    }

    /** Nothing accepts connections at the socket path: no service is running there. */
    public static final class NotListeningException extends IOException {
        NotListeningException(Path socket, IOException cause) {
            super("no node service listening on " + socket, cause);
        }
    }
}
