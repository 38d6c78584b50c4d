package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("root")
class NetNamespaceTest {
    private TestNamespace a;
    private TestNamespace b;

    @BeforeEach
    void namespaces() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for ip netns and setns");
        a = TestNamespace.create();
        b = TestNamespace.create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    @Test
    void runInMovesOnlyThisThreadAndBringsItBack() throws Exception {
        long home = NetNamespace.currentInode();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (NetNamespace ns = a.open()) {
            long target = ns.inode();
            assertNotEquals(home, target);
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch checked = new CountDownLatch(1);
            CompletableFuture<Long> otherThread = CompletableFuture.supplyAsync(() -> {
                try {
                    inside.await();
                    long seen = NetNamespace.currentInode();
                    checked.countDown();
                    return seen;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, other);
            long seenInside = ns.runIn(() -> {
                inside.countDown();
                assertTrue(checked.await(30, TimeUnit.SECONDS));
                return NetNamespace.currentInode();
            });
            assertEquals(target, seenInside);
            assertEquals(home, otherThread.get(30, TimeUnit.SECONDS), "setns moved another thread");
            assertEquals(home, NetNamespace.currentInode(), "not back home");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void socketsMadeInsideBelongToTheNamespace() throws Exception {
        try (NetNamespace ns = a.open(); Rtnetlink inside = Rtnetlink.open(ns)) {
            // Used from outside, the socket still sees the fresh namespace: lo and nothing else.
            List<Link> links = inside.links();
            assertEquals(List.of("lo"), links.stream().map(Link::name).toList());
            assertTrue(links.getFirst().index() > 0);
        }
    }

    @Test
    @SuppressWarnings("try") // the visits are there to be closed
    void visitsNestAndAnExceptionStillLeadsHome() throws Exception {
        long home = NetNamespace.currentInode();
        try (NetNamespace na = a.open(); NetNamespace nb = b.open()) {
            try (NetNamespace.Visit va = na.enter()) {
                assertEquals(na.inode(), NetNamespace.currentInode());
                try (NetNamespace.Visit vb = nb.enter()) {
                    assertEquals(nb.inode(), NetNamespace.currentInode());
                }
                assertEquals(na.inode(), NetNamespace.currentInode(), "inner visit returns to the outer one");
            }
            assertEquals(home, NetNamespace.currentInode());
            assertThrows(IllegalArgumentException.class, () -> na.runIn(() -> {
                throw new IllegalArgumentException("work failed");
            }));
            assertEquals(home, NetNamespace.currentInode());
        }
    }

    @Test
    void handlesByNameByProcessAndOfTheThreadAgree() throws Exception {
        try (NetNamespace byName = a.open();
             NetNamespace mine = NetNamespace.ofCurrentThread();
             NetNamespace byPid = NetNamespace.ofProcess(ProcessHandle.current().pid())) {
            assertEquals(NetNamespace.currentInode(), mine.inode());
            assertEquals(mine.inode(), byPid.inode());
            NetNamespace same = byName.runIn(NetNamespace::ofCurrentThread);
            try (same) {
                assertEquals(byName.inode(), same.inode());
            }
        }
    }

    @Test
    void misuseIsRefused() throws Exception {
        LinuxException missing = assertThrows(LinuxException.class, () -> NetNamespace.named("cltest-missing"));
        assertEquals(Errno.ENOENT, missing.errno());
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.named("../etc"));
        try (NetNamespace ns = a.open()) {
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    ns.enter().close();
                    refused.complete(null);
                } catch (Throwable t) {
                    refused.complete(t);
                }
            });
            assertTrue(refused.get(30, TimeUnit.SECONDS) instanceof IllegalStateException, "virtual thread entered");

            NetNamespace.Visit visit = ns.enter();
            try {
                ExecutorService other = Executors.newSingleThreadExecutor();
                try {
                    CompletableFuture<Throwable> wrongThread = CompletableFuture.supplyAsync(() -> {
                        try {
                            visit.close();
                            return null;
                        } catch (Throwable t) {
                            return t;
                        }
                    }, other);
                    assertTrue(wrongThread.get(30, TimeUnit.SECONDS) instanceof IllegalStateException);
                } finally {
                    other.shutdownNow();
                }
            } finally {
                visit.close();
            }
        }
        NetNamespace closed = a.open();
        closed.close();
        assertThrows(IllegalStateException.class, closed::enter);
    }

    @Test
    void addMakesANamedNamespaceThatDeleteRemoves() throws Exception {
        String name = "cltest-add-" + Long.toHexString(System.nanoTime());
        NetNamespace.add(name);
        try {
            assertTrue(NetNamespace.exists(name));
            // What ip netns add makes: iproute2 sees it and can run a command in it.
            assertTrue(Shell.run("ip", "netns", "list").contains(name));
            assertTrue(Shell.run("ip", "-n", name, "link", "show", "lo").contains("lo"));
            try (NetNamespace ns = NetNamespace.named(name); Rtnetlink rtnl = Rtnetlink.open(ns)) {
                assertNotEquals(NetNamespace.currentInode(), ns.inode());
                // New and empty: only lo, down.
                List<Link> links = rtnl.links();
                assertEquals(1, links.size());
                assertEquals("lo", links.getFirst().name());
                assertFalse(links.getFirst().up());
            }
            LinuxException taken = assertThrows(LinuxException.class, () -> NetNamespace.add(name));
            assertEquals(Errno.EEXIST, taken.errno());
        } finally {
            NetNamespace.delete(name);
        }
        assertFalse(NetNamespace.exists(name));
        assertFalse(Shell.run("ip", "netns", "list").contains(name));
        LinuxException gone = assertThrows(LinuxException.class, () -> NetNamespace.delete(name));
        assertEquals(Errno.ENOENT, gone.errno());
        assertThrows(LinuxException.class, () -> NetNamespace.named(name));
    }

    @Test
    void addLeavesNoThreadInside() throws Exception {
        String name = "cltest-add-" + Long.toHexString(System.nanoTime());
        long home = NetNamespace.currentInode();
        NetNamespace.add(name);
        try (NetNamespace ns = NetNamespace.named(name)) {
            long inside = ns.inode();
            assertEquals(home, NetNamespace.currentInode());
            List<Path> tasks;
            try (var listing = Files.list(Path.of("/proc/self/task"))) {
                tasks = listing.toList();
            }
            for (Path task : tasks) {
                Path link = task.resolve("ns/net");
                try {
                    assertNotEquals(inside, (long) (Long) Files.getAttribute(link, "unix:ino"), task.toString());
                } catch (NoSuchFileException ended) {
                    // A thread that ended while we looked.
                }
            }
        } finally {
            NetNamespace.delete(name);
        }
    }
}
