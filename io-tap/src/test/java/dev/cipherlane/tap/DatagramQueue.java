package dev.cipherlane.tap;

import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A stand-in for one tap queue in tests that need no root: a non-blocking unix datagram
 * socket pair. Like a tun descriptor, each read returns one whole datagram and each write
 * sends one, so the stages see exactly what a tap queue would give them; the test plays the
 * kernel on the other end.
 */
final class DatagramQueue implements AutoCloseable {
    private final int queue;
    private final int kernel;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(70_000);

    DatagramQueue() throws LinuxException {
        int[] fds = Sockets.socketpair(Sockets.AF_UNIX,
                Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, 0);
        queue = fds[0];
        kernel = fds[1];
    }

    /** The descriptor the stage reads or writes. */
    int fd() {
        return queue;
    }

    /** Sends {@code bytes} to the stage as one frame. */
    void send(byte[] bytes) throws LinuxException {
        load(bytes);
        long r = Libc.write(kernel, buf, 0, bytes.length);
        if (r != bytes.length) {
            throw new IllegalStateException("sent " + r + " of " + bytes.length + " bytes");
        }
    }

    /** Puts {@code bytes} in the send buffer for {@link #sendLoaded}. */
    void load(byte[] bytes) {
        MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    /** Sends the first {@code length} bytes of the send buffer as one frame, allocating nothing. */
    void sendLoaded(int length) throws LinuxException {
        if (Libc.write(kernel, buf, 0, length) != length) {
            throw new IllegalStateException("resend of " + length + " bytes failed");
        }
    }

    /** Reads and discards every frame the stage wrote; how many there were. Allocates nothing. */
    int drain() throws LinuxException {
        int n = 0;
        while (Libc.read(kernel, buf, 0, buf.byteSize()) != Libc.WOULD_BLOCK) {
            n++;
        }
        return n;
    }

    /** The next frame the stage wrote, or null when there is none. */
    byte[] receive() throws LinuxException {
        long r = Libc.read(kernel, buf, 0, buf.byteSize());
        if (r == Libc.WOULD_BLOCK) {
            return null;
        }
        byte[] out = new byte[(int) r];
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, out, 0, out.length);
        return out;
    }

    @Override
    public void close() throws LinuxException {
        try {
            Libc.close(queue);
            Libc.close(kernel);
        } finally {
            arena.close();
        }
    }
}
