package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmapTest {
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void anonymousMappingIsZeroedWritableAndBounded() throws Exception {
        MemorySegment region = Mmap.map(2 * PAGE, Mmap.PROT_READ | Mmap.PROT_WRITE,
                Mmap.MAP_PRIVATE | Mmap.MAP_ANONYMOUS | Mmap.MAP_POPULATE, -1, 0);
        try {
            assertEquals(2 * PAGE, region.byteSize());
            assertEquals(0, region.address() % PAGE, "page aligned");
            assertEquals(0L, region.get(ValueLayout.JAVA_LONG, PAGE));
            region.set(ValueLayout.JAVA_LONG, 2 * PAGE - 8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, region.get(ValueLayout.JAVA_LONG, 2 * PAGE - 8));
            assertThrows(IndexOutOfBoundsException.class, () -> region.get(ValueLayout.JAVA_BYTE, 2 * PAGE));
        } finally {
            Mmap.unmap(region);
        }
    }

    @Test
    void sharedFileMappingWritesThroughToTheFile() throws Exception {
        Path file = dir.resolve("ring");
        Files.write(file, new byte[PAGE]);
        int fd = Libc.open(file.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        Arena arena = Arena.ofConfined();
        try {
            MemorySegment region = Mmap.map(arena, PAGE, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_SHARED, fd, 0);
            byte[] text = "cipherlane".getBytes();
            MemorySegment.copy(text, 0, region, ValueLayout.JAVA_BYTE, 100, text.length);
            byte[] back = new byte[text.length];
            System.arraycopy(Files.readAllBytes(file), 100, back, 0, back.length);
            assertArrayEquals(text, back);
            arena.close();
            assertFalse(region.scope().isAlive(), "closing the arena unmapped it");
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            Libc.close(fd);
        }
    }

    @Test
    void failuresNameTheCall() {
        LinuxException e = assertThrows(LinuxException.class,
                () -> Mmap.map(PAGE, Mmap.PROT_READ, Mmap.MAP_SHARED, 1_000_000, 0));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.call().startsWith("mmap(4096, prot 0x1, flags 0x1, fd 1000000"), e.call());
        assertThrows(IllegalArgumentException.class, () -> Mmap.map(0, Mmap.PROT_READ, Mmap.MAP_ANONYMOUS, -1, 0));
    }

    @Test
    void unmapOfAMisalignedRangeIsEinval() throws Exception {
        MemorySegment region = Mmap.map(2 * PAGE, Mmap.PROT_READ, Mmap.MAP_PRIVATE | Mmap.MAP_ANONYMOUS, -1, 0);
        try {
            LinuxException e = assertThrows(LinuxException.class, () -> Mmap.unmap(region.asSlice(1, PAGE)));
            assertEquals(Errno.EINVAL, e.errno());
        } finally {
            Mmap.unmap(region);
        }
    }
}
