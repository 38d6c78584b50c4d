package dev.cipherlane.supervisor.admin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening end of the admin socket. Binding is separate from serving so that the
 * node can refuse to start, with a clear reason, before any actor depends on the socket.
 * accept() blocks, and a blocking call has no place in an actor's message loop, so it
 * runs on a dedicated platform thread; each connection is then served on a virtual
 * thread so one slow client delays nobody else.
 *
 * <p>Who may talk to it: the API can reconfigure the node, so the socket lives in a directory
 * that only the service's user may write (created 0700 when missing; a symbolic link, a
 * directory of another owner or one that group or others may write is refused), the socket
 * file is 0600, and each connection's peer credentials (SO_PEERCRED, unix(7)) must name root
 * or the service's own user, whatever the file's mode has become since.
 *
 * <p>Protocol: the client sends one line (at most {@value #MAX_REQUEST_BYTES} bytes of
 * UTF-8), the server answers with text and closes its side; anything after the first
 * line is read and ignored. A client gets {@link #CLIENT_DEADLINE}
 * for the whole exchange, after which its connection is closed under it.
 */
public final class AdminListener implements AutoCloseable {

    static final int MAX_REQUEST_BYTES = 4096;
    static final Duration CLIENT_DEADLINE = Duration.ofSeconds(5);
    private static final int MAX_DRAINED_BYTES = 16 * MAX_REQUEST_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(AdminListener.class);
    /** After a failed accept (out of file descriptors, say), wait before trying again. */
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

    private final Path socket;
    private final Object socketFileKey;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile Function<String, CompletionStage<String>> handler;

    private AdminListener(Path socket, ServerSocketChannel server) throws IOException {
        this.socket = socket;
        this.server = server;
        this.socketFileKey = fileKey(socket);
        this.acceptor = Thread.ofPlatform().name("admin-socket").daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code socket}; connections wait in the backlog until {@link #serve}.
     *
     * @throws IOException if the socket cannot be bound, or another service is serving it
     */
    public static AdminListener bind(Path socket) throws IOException {
        claim(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // Bound and restricted under a private name first, then renamed into place: a client
        // that sees the socket file can connect at once, and nobody else ever could.
        Path pending = socket.resolveSibling(".a" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(pending);
            server.bind(UnixDomainSocketAddress.of(pending));
            // The admin API can reconfigure the node: only its owner may connect.
            Files.setPosixFilePermissions(pending, PosixFilePermissions.fromString("rw-------"));
            Files.move(pending, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new AdminListener(socket, server);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(pending);
            throw e;
        }
    }

    public Path socket() {
        return socket;
    }

    /**
     * Starts accepting connections, once.
     *
     * @param answer answers one request line
     */
    void serve(Function<String, CompletionStage<String>> answer) {
        this.handler = Objects.requireNonNull(answer, "answer");
        acceptor.start();
    }

    /**
     * Makes way for binding: creates the directory and removes a socket file left by a
     * service that died without cleaning up. A socket someone still listens on, or a file
     * that is not a socket, is left alone and refused.
     */
    private static void claim(Path socket) throws IOException {
        Path directory = socket.toAbsolutePath().getParent();
        if (directory != null) {
            privateDirectory(directory);
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attributes = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isOther()) {
            throw new IOException(socket + " exists and is not a socket");
        }
        if (isListening(socket)) {
            throw new IOException("another node service is already listening on it");
        }
        LOG.info("removing stale admin socket {}", socket);
        Files.delete(socket);
    }

    /**
     * Creates {@code directory} owner-only when missing (its parents as the umask has them)
     * and refuses one that someone else could use to swap the socket for another.
     */
    private static void privateDirectory(Path directory) throws IOException {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = directory.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException raced) {
                // Someone made it in between: checked below like any existing directory.
            }
        }
        PosixFileAttributes a = Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) {
            throw new IOException(directory + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a directory")
                    + ", expected a directory for the admin socket (links are not followed)");
        }
        UserPrincipal self = PeerCheck.SELF;
        if (!a.owner().equals(self)) {
            throw new IOException(directory + " belongs to " + a.owner().getName() + ", expected a directory of "
                    + self.getName() + " for the admin socket");
        }
        Set<PosixFilePermission> mode = a.permissions();
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(directory + " has mode " + PosixFilePermissions.toString(mode)
                    + ": group or others could replace the admin socket, expected rwx------ (chmod 700 " + directory + ")");
        }
    }

    /** Refused means nobody listens; any other connect error is a real problem and propagates. */
    private static boolean isListening(Path socket) throws IOException {
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                LOG.warn("admin socket accept failed, retrying: {}", e.toString());
                try {
                    Thread.sleep(ACCEPT_BACKOFF);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            Thread.ofVirtual().name("admin-client").start(() -> converse(client));
        }
    }

    private void converse(SocketChannel client) {
        CompletableFuture<Void> deadline = CompletableFuture.runAsync(() -> closeQuietly(client),
                CompletableFuture.delayedExecutor(CLIENT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        try (client) {
            String refusal = PeerCheck.refusal(client);
            if (refusal != null) {
                LOG.warn("admin socket: {}", refusal);
            }
            write(client, refusal != null ? "error: " + refusal + "\n" : reply(client));
            client.shutdownOutput();
            drain(client);
        } catch (IOException e) {
            // The client went away or ran out of time; there is nobody left to tell.
            LOG.debug("admin client dropped: {}", e.toString());
        } finally {
            deadline.cancel(false);
        }
    }

    /** The answer to the client's request, or an "error: " line saying why there is none. */
    private String reply(SocketChannel client) throws IOException {
        String request;
        try {
            request = readRequest(client);
        } catch (BadRequestException e) {
            return "error: " + e.getMessage() + "\n";
        }
        try {
            String answer = handler.apply(request).toCompletableFuture()
                    .get(CLIENT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            return answer.endsWith("\n") ? answer : answer + "\n";
        } catch (ExecutionException | TimeoutException e) {
            return "error: the node service did not answer (" + e.getClass().getSimpleName() + ")\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "error: the node service is shutting down\n";
        }
    }

    /** Reads up to the first newline or end of stream. */
    private static String readRequest(SocketChannel client) throws IOException, BadRequestException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST_BYTES + 1);
        int end = -1;
        while (end < 0 && buffer.hasRemaining()) {
            int from = buffer.position();
            if (client.read(buffer) < 0) {
                break;
            }
            for (int i = from; i < buffer.position(); i++) {
                if (buffer.get(i) == '\n') {
                    end = i;
                    break;
                }
            }
        }
        if (end < 0) {
            if (!buffer.hasRemaining()) {
                throw new BadRequestException("request longer than " + MAX_REQUEST_BYTES + " bytes");
            }
            end = buffer.position();
        }
        buffer.flip().limit(end);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(buffer).toString().strip();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("request is not UTF-8 text");
        }
    }

    /**
     * Reads what the client sent beyond its request, up to its end of stream. Closing a unix
     * socket with unread bytes resets the connection, and the client could lose the reply
     * it has not read yet. Bounded, so a client streaming garbage is simply cut off.
     */
    private static void drain(SocketChannel client) throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        for (int total = 0; total < MAX_DRAINED_BYTES; ) {
            int read = client.read(sink.clear());
            if (read < 0) {
                return;
            }
            total += read;
        }
    }

    private static void write(SocketChannel client, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            client.write(bytes);
        }
    }

    /** Stops accepting, waits for the acceptor thread, and removes the socket file if it is still ours. */
    @Override
    public void close() {
        closeQuietly(server);
        try {
            if (acceptor.isAlive()) {
                acceptor.join(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // A newer service may have replaced the file; its socket is not ours to remove.
            if (Objects.equals(fileKey(socket), socketFileKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove admin socket {}: {}", socket, e.toString());
        }
    }

    private static Object fileKey(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do; a failure to close changes nothing.
        }
    }

    /** A request the server will not pass on; the message goes back to the client. */
    private static final class BadRequestException extends Exception {
        BadRequestException(String message) {
            super(message);
        }
    }
}
