package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorIoTest {
    @TempDir
    Path dir;

    @Test
    void gathersOnWriteAndScattersOnRead() throws Exception {
        Path file = dir.resolve("v");
        try (Arena arena = Arena.ofConfined(); IoVec iov = new IoVec(2)) {
            MemorySegment a = arena.allocateFrom("hello ", StandardCharsets.US_ASCII);
            MemorySegment b = arena.allocateFrom("vectored world", StandardCharsets.US_ASCII);
            int fd = Libc.open(file.toString(), Libc.O_WRONLY | Libc.O_CREAT, 0600);
            try {
                // allocateFrom adds a NUL: leave it out of both pieces.
                iov.set(0, a, 0, 6);
                iov.set(1, b, 0, 14);
                assertEquals(20, VectorIo.writev(fd, iov, 2));
            } finally {
                Libc.close(fd);
            }
            assertEquals("hello vectored world", Files.readString(file));

            MemorySegment head = arena.allocate(5);
            MemorySegment tail = arena.allocate(64);
            fd = Libc.open(file.toString(), Libc.O_RDONLY, 0);
            try {
                iov.set(0, head, 0, 5);
                iov.set(1, tail, 10, 54);
                assertEquals(20, VectorIo.readv(fd, iov, 2));
                assertEquals(0, VectorIo.readv(fd, iov, 2), "end of file");
            } finally {
                Libc.close(fd);
            }
            assertEquals("hello", text(head, 0, 5));
            assertEquals(" vectored world", text(tail, 10, 15));
        }
    }

    @Test
    void notReadyIsWouldBlockAndBadDescriptorNamesTheCall() throws Exception {
        try (Arena arena = Arena.ofConfined(); IoVec iov = new IoVec(1)) {
            MemorySegment counter = arena.allocate(8);
            iov.set(0, counter, 0, 8);
            int efd = Libc.eventfd(0, Libc.O_NONBLOCK);
            try {
                assertEquals(Libc.WOULD_BLOCK, VectorIo.readv(efd, iov, 1));
                counter.set(ValueLayout.JAVA_LONG, 0, 3L);
                assertEquals(8, VectorIo.writev(efd, iov, 1));
                counter.set(ValueLayout.JAVA_LONG, 0, 0L);
                assertEquals(8, VectorIo.readv(efd, iov, 1));
                assertEquals(3L, counter.get(ValueLayout.JAVA_LONG, 0));
            } finally {
                Libc.close(efd);
            }
            LinuxException e = assertThrows(LinuxException.class, () -> VectorIo.writev(efd, iov, 1));
            assertEquals(Errno.EBADF, e.errno());
            assertTrue(e.getMessage().startsWith("writev(" + efd + ", 1 buffers)"), e.getMessage());
        }
    }

    @Test
    void refusesBadCountsAndHeapBuffers() {
        try (IoVec iov = new IoVec(2)) {
            assertThrows(IllegalArgumentException.class, () -> VectorIo.readv(0, iov, 3));
            assertThrows(IllegalArgumentException.class, () -> VectorIo.readv(0, iov, 0));
            assertThrows(IllegalArgumentException.class, () -> iov.set(0, MemorySegment.ofArray(new byte[8]), 0, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> iov.set(2, Arena.global().allocate(8), 0, 8));
        }
        assertThrows(IllegalArgumentException.class, () -> new IoVec(0));
        assertThrows(IllegalArgumentException.class, () -> new IoVec(IoVec.MAX + 1));
    }

    private static String text(MemorySegment s, long off, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, b, 0, len);
        return new String(b, StandardCharsets.US_ASCII);
    }
}
