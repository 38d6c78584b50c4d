package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibcTest {
    @TempDir
    Path dir;

    @Test
    void openOfAMissingFileNamesTheCallAndTheErrno() {
        String path = dir.resolve("no-such-dir/missing").toString();
        LinuxException e = assertThrows(LinuxException.class, () -> Libc.open(path, Libc.O_RDONLY, 0));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open(\"" + path + "\")", e.call());
        assertEquals("open(\"" + path + "\"): ENOENT (2): No such file or directory", e.getMessage());
    }

    @Test
    void closingTwiceReportsEbadf() throws Exception {
        int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC);
        Libc.close(fd);
        LinuxException e = assertThrows(LinuxException.class, () -> Libc.close(fd));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close(" + fd + "): EBADF (9): Bad file descriptor", e.getMessage());
    }

    @Test
    void writeThenReadAFileThroughSegmentOffsets() throws Exception {
        Path file = dir.resolve("data");
        byte[] text = "cipherlane".getBytes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            MemorySegment.copy(text, 0, buf, ValueLayout.JAVA_BYTE, 7, text.length);
            int fd = Libc.open(file.toString(), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
            try {
                assertEquals(text.length, Libc.write(fd, buf, 7, text.length));
            } finally {
                Libc.close(fd);
            }
            assertArrayEquals(text, Files.readAllBytes(file));

            MemorySegment in = arena.allocate(64);
            fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            try {
                assertEquals(text.length, Libc.read(fd, in, 20, 40));
                assertEquals(0, Libc.read(fd, in, 20, 40), "end of file");
            } finally {
                Libc.close(fd);
            }
            byte[] back = new byte[text.length];
            MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 20, back, 0, back.length);
            assertArrayEquals(text, back);
        }
    }

    @Test
    void readRejectsRangesOutsideTheSegmentAndHeapMemory() throws Exception {
        int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8);
            assertThrows(IndexOutOfBoundsException.class, () -> Libc.read(fd, buf, 4, 8));
            assertThrows(IllegalArgumentException.class,
                    () -> Libc.read(fd, MemorySegment.ofArray(new byte[8]), 0, 8));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void errnoNamesComeFromLibc() {
        assertEquals("EAGAIN", Errno.name(Errno.EAGAIN));
        assertEquals("EINTR", Errno.name(Errno.EINTR));
        assertTrue(Errno.describe(Errno.EACCES).contains("ermission"));
        assertTrue(Errno.name(100_000).contains("100000"));
    }
}
