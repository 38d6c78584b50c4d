package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class IoctlTest {
    /** FIONBIO from asm-generic/ioctls.h: an old-style number, not built with _IOW. */
    private static final int FIONBIO = 0x5421;

    @Test
    void tunRequestNumbersMatchTheUapiHeaders() {
        // Values printed by gcc from linux/if_tun.h on this machine.
        assertEquals(0x400454ca, Tun.TUNSETIFF);
        assertEquals(0x400454cb, Tun.TUNSETPERSIST);
        assertEquals(0x800454cf, Tun.TUNGETFEATURES);
        assertEquals(0x400454d0, Tun.TUNSETOFFLOAD);
        assertEquals(0x800454d2, Tun.TUNGETIFF);
        assertEquals(0x800454d7, Tun.TUNGETVNETHDRSZ);
        assertEquals(0x400454d8, Tun.TUNSETVNETHDRSZ);
        assertEquals(0x400454d9, Tun.TUNSETQUEUE);
    }

    @Test
    void encodingPutsEachFieldInItsBits() {
        assertEquals(0x5401, Ioctl.io('T', 1));
        assertEquals(0xc0105401, Ioctl.iowr('T', 1, 16));
        assertEquals(0x3fff << 16, Ioctl.ioc(Ioctl.NONE, (char) 0, 0, 0x3fff));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.ioc(Ioctl.WRITE, 'T', 256, 4));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.ioc(Ioctl.WRITE, 'T', 1, 1 << 14));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.ioc(4, 'T', 1, 4));
    }

    @Test
    void pointerArgumentReachesTheKernel() throws Exception {
        // FIONBIO takes an int* and sets O_NONBLOCK, which fcntl then reports.
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC);
            try {
                assertFalse(Libc.isNonBlocking(fd));
                Ioctl.ioctl(fd, FIONBIO, arena.allocateFrom(ValueLayout.JAVA_INT, 1));
                assertTrue(Libc.isNonBlocking(fd));
                Ioctl.ioctl(fd, FIONBIO, arena.allocateFrom(ValueLayout.JAVA_INT, 0));
                assertFalse(Libc.isNonBlocking(fd));
            } finally {
                Libc.close(fd);
            }
        }
    }

    @Test
    void failuresNameTheRequest() throws Exception {
        int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IfReq.SIZE);
            LinuxException e = assertThrows(LinuxException.class, () -> Ioctl.ioctl(fd, Tun.TUNGETIFF, ifr, "TUNGETIFF"));
            assertEquals(Errno.ENOTTY, e.errno());
            assertEquals("ioctl(" + fd + ", TUNGETIFF)", e.call());
            LinuxException byValue = assertThrows(LinuxException.class, () -> Ioctl.ioctl(fd, Tun.TUNSETPERSIST, 1));
            assertEquals(Errno.ENOTTY, byValue.errno());
            assertEquals("ioctl(" + fd + ", 0x400454cb)", byValue.call());
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void heapArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Ioctl.ioctl(0, FIONBIO, MemorySegment.ofArray(new int[1])));
    }
}
