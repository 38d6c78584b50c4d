package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Multi-queue persistent taps made with the tun ioctls, inside a namespace of the test's own. */
@Tag("root")
class TapQueuesTest {
    private static final String TAP = "pod0";
    private static final int ALL_FLAGS = Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR | Tun.IFF_MULTI_QUEUE;

    private TestNamespace ns;
    private TestNamespace other;
    private NetNamespace handle;
    private final List<TapQueues> opened = new ArrayList<>();

    @BeforeEach
    void namespace() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for /dev/net/tun and ip netns");
        ns = TestNamespace.create();
        handle = ns.open();
    }

    /** Queues closed, persistent taps destroyed, namespaces deleted, whatever failed before. */
    @AfterEach
    void cleanUp() throws Exception {
        try {
            for (TapQueues q : opened) {
                q.close();
            }
            if (handle != null) {
                if (ns.hasLink(TAP)) {
                    handle.runIn(() -> {
                        TapQueues.destroy(TAP);
                        return null;
                    });
                }
                handle.close();
            }
        } finally {
            try {
                if (ns != null) {
                    ns.close();
                }
            } finally {
                if (other != null) {
                    other.close();
                }
            }
        }
    }

    private TapQueues open(NetNamespace where, TapSpec spec) throws LinuxException {
        TapQueues q = where.runIn(() -> TapQueues.open(spec));
        opened.add(q);
        return q;
    }

    @Test
    void podTapHasFourNonBlockingQueuesVnetHeaderAndPersistence() throws Exception {
        TapQueues tap = open(handle, TapSpec.pod(TAP, 4));
        assertEquals(4, tap.count());
        assertEquals(4, Arrays.stream(new int[] {tap.fd(0), tap.fd(1), tap.fd(2), tap.fd(3)}).distinct().count());

        Tun.Interface info = tap.info();
        assertEquals(TAP, info.name());
        assertTrue(info.has(ALL_FLAGS | Tun.IFF_PERSIST), "TUNGETIFF flags 0x" + Integer.toHexString(info.flags()));
        for (int q = 0; q < 4; q++) {
            int fd = tap.fd(q);
            assertTrue(Libc.isNonBlocking(fd), "queue " + q);
            assertEquals(TAP, Tun.getInterface(fd).name());
            assertEquals(12, Tun.vnetHeaderSize(fd));
        }
        assertTrue((Tun.features(tap.fd(0)) & ALL_FLAGS) == ALL_FLAGS);

        String details = ns.ip("-d", "link", "show", "dev", TAP);
        assertTrue(details.contains("tun type tap pi off vnet_hdr on multi_queue numqueues 4"), details);
        assertTrue(details.contains("persist on"), details);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(2048);
            assertEquals(Libc.WOULD_BLOCK, Libc.read(tap.fd(2), buf, 0, buf.byteSize()), "nothing sent yet");
        }
    }

    @Test
    void persistentTapOutlivesItsQueuesAndIsReattachedByName() throws Exception {
        TapQueues first = open(handle, TapSpec.pod(TAP, 4));
        int index;
        try (Rtnetlink rtnl = Rtnetlink.open(handle)) {
            index = rtnl.linkIndex(TAP);
            first.close();
            assertTrue(ns.ip("-d", "link", "show", "dev", TAP).contains("numqueues 0"));
            assertFalse(rtnl.link(index).lowerUp(), "no queue, no carrier");

            TapQueues again = open(handle, TapSpec.pod(TAP, 2));
            assertEquals(index, rtnl.linkIndex(TAP), "the same interface, not a new one");
            assertTrue(again.info().has(Tun.IFF_PERSIST));
            assertTrue(ns.ip("-d", "link", "show", "dev", TAP).contains("numqueues 2"));
        }
    }

    @Test
    void nonPersistentTapVanishesWithItsLastQueue() throws Exception {
        TapQueues tap = open(handle, new TapSpec(TAP, 2, 10, TapSpec.DEFAULT_OFFLOADS, false));
        assertFalse(tap.info().has(Tun.IFF_PERSIST));
        assertEquals(10, Tun.vnetHeaderSize(tap.fd(1)));
        assertTrue(ns.hasLink(TAP));
        tap.close();
        assertFalse(ns.hasLink(TAP));
    }

    @Test
    void clearingPersistenceLetsCloseRemoveTheTap() throws Exception {
        TapQueues tap = open(handle, TapSpec.pod(TAP, 1));
        tap.setPersistent(false);
        assertFalse(tap.info().has(Tun.IFF_PERSIST));
        tap.close();
        assertFalse(ns.hasLink(TAP));
    }

    @Test
    void destroyRemovesThePersistentTapEvenWithQueuesAttached() throws Exception {
        TapQueues tap = open(handle, TapSpec.pod(TAP, 2));
        handle.runIn(() -> {
            TapQueues.destroy(TAP);
            return null;
        });
        assertFalse(ns.hasLink(TAP));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(2048);
            LinuxException e = assertThrows(LinuxException.class, () -> Libc.read(tap.fd(0), buf, 0, 2048));
            assertEquals(Errno.EBADFD, e.errno(), "the queue lost its interface");
        }
        LinuxException gone = assertThrows(LinuxException.class, () -> handle.runIn(() -> {
            TapQueues.destroy(TAP);
            return null;
        }));
        assertEquals(Errno.ENODEV, gone.errno());
        assertEquals("RTM_GETLINK dev " + TAP, gone.call());
    }

    @Test
    void aQueueCanBeTakenOutOfServiceAndBack() throws Exception {
        TapQueues tap = open(handle, TapSpec.pod(TAP, 4));
        Tun.setQueueEnabled(tap.fd(3), false);
        assertTrue(ns.ip("-d", "link", "show", "dev", TAP).contains("numqueues 3 numdisabled 1"));
        Tun.setQueueEnabled(tap.fd(3), true);
        assertTrue(ns.ip("-d", "link", "show", "dev", TAP).contains("numqueues 4 numdisabled 0"));
    }

    @Test
    void kernelRefusalsNameTheIoctl() throws Exception {
        TapQueues tap = open(handle, TapSpec.pod(TAP, 1));
        LinuxException offload = assertThrows(LinuxException.class, () -> Tun.setOffload(tap.fd(0), 0x10000));
        assertEquals(Errno.EINVAL, offload.errno());
        assertEquals("ioctl(" + tap.fd(0) + ", TUNSETOFFLOAD 0x10000)", offload.call());

        LinuxException header = assertThrows(LinuxException.class, () -> Tun.setVnetHeaderSize(tap.fd(0), 4));
        assertEquals(Errno.EINVAL, header.errno());

        // Attaching to a multi-queue tap without IFF_MULTI_QUEUE is refused.
        int fd = handle.runIn(() -> Tun.open(true));
        try {
            LinuxException single = assertThrows(LinuxException.class,
                    () -> Tun.setInterface(fd, TAP, Tun.IFF_TAP | Tun.IFF_NO_PI));
            assertEquals(Errno.EINVAL, single.errno());
            assertEquals("ioctl(" + fd + ", TUNSETIFF \"" + TAP + "\" flags 0x1002)", single.call());
            LinuxException unattached = assertThrows(LinuxException.class, () -> Tun.getInterface(fd));
            assertEquals(Errno.EBADFD, unattached.errno());
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void kernelPicksANameWhenGivenNone() throws Exception {
        int fd = handle.runIn(() -> Tun.open(false));
        try {
            String name = Tun.setInterface(fd, "", Tun.IFF_TAP | Tun.IFF_NO_PI);
            assertTrue(name.matches("tap\\d+"), name);
            assertTrue(ns.hasLink(name));
            assertFalse(Libc.isNonBlocking(fd));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void tapMovedIntoAnotherNamespaceIsReattachedThere() throws Exception {
        other = TestNamespace.create();
        try (NetNamespace pod = other.open(); Rtnetlink rtnl = Rtnetlink.open(handle)) {
            TapQueues tap = open(handle, TapSpec.pod(TAP, 2));
            rtnl.linkSetNetns(rtnl.linkIndex(TAP), pod);
            assertFalse(ns.hasLink(TAP));
            assertTrue(other.hasLink(TAP));
            assertEquals(TAP, tap.info().name(), "the queues follow the interface");
            tap.close();

            TapQueues back = open(pod, TapSpec.pod(TAP, 3));
            assertTrue(other.ip("-d", "link", "show", "dev", TAP).contains("numqueues 3"));
            back.close();
            pod.runIn(() -> {
                TapQueues.destroy(TAP);
                return null;
            });
            assertFalse(other.hasLink(TAP));
        }
    }
}
