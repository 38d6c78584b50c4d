package dev.cipherlane.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One TCP connection carrying a known byte sequence ({@link BytePattern}) from a sender to
 * a receiver that regenerates the sequence and compares every byte. It reports the first
 * wrong byte, how many bytes arrived, the longest stall (the longest time between two reads
 * that returned data) and the throughput. Timing is measured and printed, never asserted.
 *
 * <p>{@link #between} makes the two sockets inside two network namespaces (two pods', or two
 * nodes' for the nodes' own traffic) from threads that enter them ({@link InNamespace}), so
 * no extra process is needed; afterwards they are ordinary sockets used from ordinary
 * platform threads.
 */
public final class CheckedStream implements AutoCloseable {
    private static final int WRITE = 1 << 16;
    private static final int READ = 1 << 18;
    /** A handshake through a working lab takes milliseconds; a lost SYN is retried after 1 s, 3 s... */
    private static final int CONNECT_LIMIT_MS = 15_000;

    /**
     * What the receiver saw. {@code badOffset} is the stream offset of the first wrong byte
     * or -1; {@code failure} names what stopped the stream early (an exception, extra bytes,
     * a timeout), or is null.
     */
    public record Result(long expected, long received, long badOffset, byte expectedByte, byte receivedByte,
                  long longestStallNanos, long elapsedNanos, String failure) {

        /** Every byte arrived, in order and unchanged, and nothing more. */
        public boolean intact() {
            return failure == null && badOffset < 0 && received == expected;
        }

        public Duration longestStall() {
            return Duration.ofNanos(longestStallNanos);
        }

        public double gbitPerSecond() {
            return elapsedNanos == 0 ? 0 : received * 8.0 / elapsedNanos;
        }

        Result failedWith(String why) {
            return new Result(expected, received, badOffset, expectedByte, receivedByte, longestStallNanos,
                    elapsedNanos, failure == null ? why : failure + "; " + why);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "%d of %d bytes received in %.2f s (%.2f Gbit/s), longest stall %d ms",
                    received, expected, elapsedNanos / 1e9, gbitPerSecond(), longestStallNanos / 1_000_000));
            if (badOffset >= 0) {
                sb.append(String.format(Locale.ROOT, ", first wrong byte at offset %d: expected 0x%02x, got 0x%02x",
                        badOffset, expectedByte & 0xff, receivedByte & 0xff));
            }
            if (failure != null) {
                sb.append(", failed: ").append(failure);
            }
            return sb.toString();
        }
    }

    private final String name;
    private final Socket sender;
    private final Socket receiver;
    private final long bytes;
    private final long bytesPerSecond;
    private final long seed;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private long sendNanos;
    private FutureTask<Result> receiving;
    private FutureTask<String> sending;

    /**
     * @param bytesPerSecond pace of the sender, or 0 to send as fast as TCP takes it
     * @param stallLimit     the receiver gives up after this long without a byte
     */
    public CheckedStream(String name, Socket sender, Socket receiver, long bytes, long bytesPerSecond, Duration stallLimit)
            throws IOException {
        this.name = name;
        this.sender = sender;
        this.receiver = receiver;
        this.bytes = bytes;
        this.bytesPerSecond = bytesPerSecond;
        this.seed = name.hashCode() * 0x9E3779B97F4A7C15L + bytes;
        receiver.setSoTimeout((int) stallLimit.toMillis());
    }

    /**
     * Connects namespace {@code fromNetns} to {@code toNetns}: the listening socket is made in
     * {@code toNetns} bound to {@code to}, the client socket in {@code fromNetns}. The
     * handshake crosses the network like the data will. Nothing is sent until {@link #start()}.
     *
     * @param bytesPerSecond pace of the sender, or 0 to send as fast as TCP takes it
     * @param stallLimit     the receiver gives up after this long without a byte
     */
    public static CheckedStream between(String name, String fromNetns, String toNetns, InetSocketAddress to,
                                        long bytes, long bytesPerSecond, Duration stallLimit) throws Exception {
        return between(name, fromNetns, null, toNetns, to, bytes, bytesPerSecond, stallLimit);
    }

    /**
     * As {@link #between(String, String, String, InetSocketAddress, long, long, Duration)}, with
     * the client socket bound to {@code from} first (a chosen source port gives a chosen flow
     * hash), or to an ephemeral port when {@code from} is null.
     */
    public static CheckedStream between(String name, String fromNetns, InetSocketAddress from, String toNetns,
                                        InetSocketAddress to, long bytes, long bytesPerSecond, Duration stallLimit)
            throws Exception {
        ServerSocket listening = InNamespace.call(toNetns, () -> {
            ServerSocket s = new ServerSocket();
            s.bind(to, 1);
            return s;
        });
        try (listening) {
            Socket client = InNamespace.call(fromNetns, () -> {
                Socket s = new Socket();
                try {
                    if (from != null) {
                        s.setReuseAddress(true);
                        s.bind(from);
                    }
                    s.connect(to, CONNECT_LIMIT_MS);
                } catch (IOException e) {
                    s.close();
                    throw new IOException(name + ": connect from " + fromNetns + " to " + to + " failed: " + e, e);
                }
                return s;
            });
            try {
                listening.setSoTimeout(CONNECT_LIMIT_MS);
                Socket accepted = listening.accept();
                return new CheckedStream(name, client, accepted, bytes, bytesPerSecond, stallLimit);
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
        }
    }

    /** A stream from pod {@code from} to pod {@code to}'s address {@code toAddress}. */
    public static CheckedStream between(String name, LabPod from, LabPod to, InetAddress toAddress, int port,
                                        long bytes, long bytesPerSecond, Duration stallLimit) throws Exception {
        return between(name, from.netns(), to.netns(), new InetSocketAddress(toAddress, port), bytes,
                bytesPerSecond, stallLimit);
    }

    public String name() {
        return name;
    }

    /** Bytes the stream carries in all. */
    public long bytes() {
        return bytes;
    }

    /**
     * Makes this a timed stream: the sender stops after {@code d} (or at the byte count given
     * at creation, whichever comes first), and the stream is intact when the receiver got
     * exactly what was sent, every byte right. Call before {@link #start()}.
     */
    public CheckedStream sendFor(Duration d) {
        if (receiving != null) {
            throw new IllegalStateException(name + " has already started");
        }
        sendNanos = d.toNanos();
        return this;
    }

    /** Starts the sending and the receiving thread. */
    public CheckedStream start() {
        long deadline = sendNanos > 0 ? System.nanoTime() + sendNanos : 0;
        receiving = new FutureTask<>(() -> {
            try (InputStream in = receiver.getInputStream()) {
                return receive(in, new BytePattern(seed), bytes, received);
            }
        });
        sending = new FutureTask<>(() -> {
            try {
                OutputStream out = sender.getOutputStream();
                send(out, new BytePattern(seed), bytes, bytesPerSecond, deadline, sent);
                sender.shutdownOutput();
                return null;
            } catch (IOException e) {
                return "sender: " + e;
            }
        });
        Thread.ofPlatform().name(name + "-receiver").daemon().start(receiving);
        Thread.ofPlatform().name(name + "-sender").daemon().start(sending);
        return this;
    }

    /** Bytes the receiver has checked so far. */
    public long received() {
        return received.get();
    }

    /**
     * Waits for the receiver to reach the end of the stream. If it has not within {@code limit}
     * the sockets are closed and the result says so.
     */
    public Result await(Duration limit) throws InterruptedException {
        Result r;
        try {
            r = receiving.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            closeQuietly();
            r = resultOf(receiving).failedWith("not finished within " + limit.toSeconds() + " s");
        } catch (ExecutionException e) {
            r = new Result(bytes, received.get(), -1, (byte) 0, (byte) 0, 0, 0, "receiver: " + e.getCause());
        }
        if (sendNanos > 0 && r.failure() == null && r.badOffset() < 0) {
            // The sender had shut its side down when the receiver saw the end: its count is final.
            String senderFailure = resultOf(sending);
            r = new Result(sent.get(), r.received(), -1, (byte) 0, (byte) 0, r.longestStallNanos(), r.elapsedNanos(),
                    null);
            return senderFailure == null ? r : r.failedWith(senderFailure);
        }
        if (!r.intact()) {
            closeQuietly(); // a sender blocked on a full window would wait forever
        }
        String senderFailure = resultOf(sending);
        return senderFailure == null ? r : r.failedWith(senderFailure);
    }

    /** Bytes the sender has written so far. */
    public long sent() {
        return sent.get();
    }

    private static <T> T resultOf(FutureTask<T> task) throws InterruptedException {
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a checked stream thread did not end: " + e, e);
        }
    }

    /** Writes {@code bytes} of the pattern, at most {@code bytesPerSecond} if that is not 0. */
    public static void send(OutputStream out, BytePattern pattern, long bytes, long bytesPerSecond) throws IOException {
        send(out, pattern, bytes, bytesPerSecond, 0, new AtomicLong());
    }

    /**
     * As {@link #send(OutputStream, BytePattern, long, long)}, stopping early at
     * {@code deadlineNanos} ({@link System#nanoTime()}, 0 for none); counts written bytes in
     * {@code progress}.
     */
    public static void send(OutputStream out, BytePattern pattern, long bytes, long bytesPerSecond,
                            long deadlineNanos, AtomicLong progress) throws IOException {
        byte[] buf = new byte[WRITE];
        long start = System.nanoTime();
        for (long sent = 0; sent < bytes; ) {
            if (deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0) {
                break;
            }
            if (bytesPerSecond > 0) {
                long due = start + (long) (sent * 1e9 / bytesPerSecond);
                for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
            }
            int n = (int) Math.min(WRITE, bytes - sent);
            pattern.copy(sent, buf, 0, n);
            out.write(buf, 0, n);
            sent += n;
            progress.set(sent);
        }
        out.flush();
    }

    /**
     * Reads to the end of the stream and compares every byte with the pattern, stopping at
     * the first wrong one. Counts checked bytes in {@code progress}.
     */
    public static Result receive(InputStream in, BytePattern pattern, long expected, AtomicLong progress) {
        byte[] buf = new byte[READ];
        long start = System.nanoTime();
        long last = start;
        long stall = 0;
        long got = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                long now = System.nanoTime();
                if (n == 0) {
                    continue;
                }
                if (got > 0) {
                    stall = Math.max(stall, now - last);
                }
                last = now;
                int checkable = (int) Math.min(n, expected - got);
                int bad = pattern.mismatch(got, buf, 0, checkable);
                if (bad >= 0) {
                    long at = got + bad;
                    progress.set(at);
                    return new Result(expected, at, at, pattern.at(at), buf[bad], stall, now - start, null);
                }
                got += checkable;
                progress.set(got);
                if (checkable < n) {
                    return new Result(expected, got, -1, (byte) 0, (byte) 0, stall, now - start,
                            (n - checkable) + " bytes more than were sent");
                }
            }
            return new Result(expected, got, -1, (byte) 0, (byte) 0, stall, last - start, null);
        } catch (SocketTimeoutException e) {
            return new Result(expected, got, -1, (byte) 0, (byte) 0, Math.max(stall, System.nanoTime() - last),
                    last - start, "nothing received for " + (System.nanoTime() - last) / 1_000_000 + " ms: " + e);
        } catch (IOException e) {
            return new Result(expected, got, -1, (byte) 0, (byte) 0, stall, last - start, e.toString());
        }
    }

    private void closeQuietly() {
        for (Socket s : new Socket[] {sender, receiver}) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Closing is how we give up on it; nothing more to do.
            }
        }
    }

    /**
     * Closes both sockets. Close streams before the namespaces go (or hand them to
     * {@link Lab#closeLater}): a socket keeps its namespace, and with it a pod's tap, alive.
     */
    @Override
    public void close() {
        closeQuietly();
    }
}
