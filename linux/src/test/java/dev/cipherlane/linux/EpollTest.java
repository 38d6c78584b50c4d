package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EpollTest {
    private static final long TOKEN = 0x1122_3344_5566_7788L;

    @Test
    void epollEventIsPackedOnX86_64() {
        String arch = System.getProperty("os.arch");
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            // sizeof(struct epoll_event) == 12, offsetof(data) == 4 with gcc on this machine.
            assertEquals(12, EpollEvent.SIZE);
        } else {
            assertEquals(16, EpollEvent.SIZE);
        }
    }

    @Test
    void timesOutWithNoEventsThenReportsTheSignalledEventfd() throws Exception {
        try (Epoll ep = Epoll.open(8); EventFd efd = EventFd.open()) {
            ep.add(efd.fd(), Epoll.EPOLLIN, TOKEN);
            assertEquals(0, ep.await(0));
            assertEquals(0, ep.await(20));

            efd.signal();
            assertEquals(1, ep.await(1000));
            assertEquals(Epoll.EPOLLIN, ep.events(0) & Epoll.EPOLLIN);
            assertEquals(TOKEN, ep.data(0));

            // Level-triggered: still ready until drained, quiet afterwards.
            assertEquals(1, ep.await(0));
            assertEquals(1, efd.drain());
            assertEquals(0, ep.await(0));
        }
    }

    @Test
    void reportsWhichOfSeveralDescriptorsIsReady() throws Exception {
        try (Epoll ep = Epoll.open(4); EventFd a = EventFd.open(); EventFd b = EventFd.open()) {
            ep.add(a.fd(), Epoll.EPOLLIN, 1);
            ep.add(b.fd(), Epoll.EPOLLIN, 2);
            b.signal();
            assertEquals(1, ep.await(1000));
            assertEquals(2, ep.data(0));

            ep.modify(b.fd(), Epoll.EPOLLIN, 7);
            assertEquals(1, ep.await(0));
            assertEquals(7, ep.data(0));

            ep.remove(b.fd());
            assertEquals(0, ep.await(0));
        }
    }

    @Test
    void anotherThreadWakesABlockedWaiter() throws Exception {
        try (Epoll ep = Epoll.open(1); EventFd wake = EventFd.open()) {
            ep.add(wake.fd(), Epoll.EPOLLIN, TOKEN);
            CompletableFuture<Long> woken = CompletableFuture.supplyAsync(() -> {
                try {
                    return ep.await(-1) == 1 ? ep.data(0) : -1L;
                } catch (LinuxException e) {
                    throw new RuntimeException(e);
                }
            });
            wake.signal();
            // The timeout only keeps a broken wake-up from hanging the build.
            assertEquals(TOKEN, woken.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void addingAClosedDescriptorReportsEbadf() throws Exception {
        try (Epoll ep = Epoll.open(1)) {
            int fd = Libc.eventfd(0, EventFd.EFD_CLOEXEC);
            Libc.close(fd);
            LinuxException e = assertThrows(LinuxException.class, () -> ep.add(fd, Epoll.EPOLLIN, 0));
            assertEquals(Errno.EBADF, e.errno());
        }
    }
}
