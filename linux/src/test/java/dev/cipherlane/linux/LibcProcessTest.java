package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** fcntl, getpid, gettid and setns's failure paths; setns's success is in NetNamespaceTest. */
class LibcProcessTest {
    @Test
    void nonBlockingIsSwitchedOnAndOff() throws Exception {
        int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC);
        try {
            assertFalse(Libc.isNonBlocking(fd));
            Libc.setNonBlocking(fd, true);
            assertTrue(Libc.isNonBlocking(fd));
            assertEquals(Libc.O_NONBLOCK, Libc.fcntl(fd, Libc.F_GETFL, 0) & Libc.O_NONBLOCK);
            Libc.setNonBlocking(fd, false);
            assertFalse(Libc.isNonBlocking(fd));
            assertEquals(Libc.FD_CLOEXEC, Libc.fcntl(fd, Libc.F_GETFD, 0) & Libc.FD_CLOEXEC);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void fcntlOnAClosedDescriptorIsEbadf() throws Exception {
        int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC);
        Libc.close(fd);
        LinuxException e = assertThrows(LinuxException.class, () -> Libc.setNonBlocking(fd, true));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("fcntl(" + fd + ", 3)", e.call());
    }

    @Test
    void pidAndTidAreTheKernelsIds() throws Exception {
        assertEquals(ProcessHandle.current().pid(), Libc.getpid());
        // /proc/thread-self links to <pid>/task/<tid> of the calling thread.
        assertEquals(Libc.getpid() + "/task/" + Libc.gettid(),
                Files.readSymbolicLink(Path.of("/proc/thread-self")).toString());
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            int otherTid = CompletableFuture.supplyAsync(Libc::gettid, other).get(30, TimeUnit.SECONDS);
            assertNotEquals(Libc.gettid(), otherTid);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void setnsRefusesADescriptorThatIsNoNamespace() throws Exception {
        int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC);
        try {
            LinuxException e = assertThrows(LinuxException.class, () -> Libc.setns(fd, NetNamespace.CLONE_NEWNET));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("setns(" + fd + ", 0x40000000)", e.call());
        } finally {
            Libc.close(fd);
        }
    }
}
