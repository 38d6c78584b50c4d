package dev.cipherlane.avf.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.avf.driver.AvfDriver;
import dev.cipherlane.avf.driver.AvfSettings;
import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.Namespace;
import dev.cipherlane.testbed.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The driver on the model on a real veth: frames a packet socket sends on the other end reach
 * the driver byte for byte, frames the driver sends reach that socket, and an 802.1Q tag the
 * kernel took out of a frame is back in it when the driver sees it.
 */
@Tag("root")
class AfPacketWireTest {
    private Namespace a;
    private Namespace b;
    private final List<AutoCloseable> open = new ArrayList<>();
    private AvfModel model;
    private AvfDriver driver;
    private PacketRing peer;
    private AfPacketWire wire;
    /** The peer's ring with virtio-net headers, to send what a host's stack leaves to offloads. */
    private PacketRing peerOffloads;
    private final Arena arena = Arena.ofShared();

    @BeforeEach
    void wire() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, veth and AF_PACKET");
        String tag = UUID.randomUUID().toString().substring(0, 8);
        a = Namespace.create("clawa-" + tag);
        b = Namespace.create("clawb-" + tag);
        a.disableIpv6();
        b.disableIpv6();
        Wire w = Wire.join(a, "va", b, "vb", 0).up();
        PacketRing.Config config = PacketRing.Config.defaults(-1);
        PacketRing ring = a.handle().runIn(() -> PacketRing.open(w.indexA(), config.withOffloads(true)));
        wire = new AfPacketWire(ring);
        open.add(wire);
        peer = b.handle().runIn(() -> PacketRing.open(w.indexB(), config));
        open.add(peer);
        peerOffloads = b.handle().runIn(() -> PacketRing.open(w.indexB(), config.withOffloads(true)));
        open.add(peerOffloads);
        model = new AvfModel(wire, ModelSettings.DEFAULT.withQueuePairs(1));
        driver = new AvfDriver(model, AvfSettings.DEFAULT.withQueues(1));
        driver.start(System.nanoTime());
        assertTrue(until(() -> driver.state() == VfState.RUNNING), () -> driver.failure() + " " + driver.log());
    }

    @AfterEach
    void unwire() throws Exception {
        if (driver != null) {
            driver.close();
        }
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        arena.close();
    }

    @Test
    void framesCrossBothWays() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] f = Frames.udp4(ModelSettings.DEFAULT.mac(), Frames.ip(10, 9, 0, 2), Frames.ip(10, 9, 0, 1),
                    4000 + i, 5000, 60 + i * 36, i);
            sent.add(f);
            peerSend(f);
        }
        List<byte[]> got = receiveAll(sent.size());
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "frame " + i);
        }

        MemorySegment[] frames = segments(20);
        int[] lengths = new int[20];
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] f = Frames.udp4(Frames.PEER, Frames.ip(10, 9, 0, 1), Frames.ip(10, 9, 0, 2), 6000 + i, 7000,
                    64 + i * 70, 100 + i);
            out.add(f);
            MemorySegment.copy(MemorySegment.ofArray(f), 0, frames[i], 0, f.length);
            lengths[i] = f.length;
        }
        assertEquals(20, driver.transmit(0, frames, lengths, 20));
        List<byte[]> arrived = new ArrayList<>();
        assertTrue(until(() -> {
            peerReceive(arrived);
            return arrived.size() >= out.size();
        }), () -> arrived.size() + " of " + out.size() + " frames reached the peer");
        for (int i = 0; i < out.size(); i++) {
            assertArrayEquals(out.get(i), arrived.get(i), "frame " + i);
        }
    }

    @Test
    void aVlanTagTheKernelTookOutIsPutBack() throws Exception {
        byte[] plain = Frames.udp4(ModelSettings.DEFAULT.mac(), Frames.ip(10, 9, 0, 2), Frames.ip(10, 9, 0, 1), 1, 2,
                200, 7);
        byte[] tagged = new byte[plain.length + 4];
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[14] = 0x00;
        tagged[15] = 42;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);
        peerSend(tagged);
        List<byte[]> got = receiveAll(1);
        assertEquals(1, got.size());
        assertArrayEquals(tagged, got.get(0));
    }

    @Test
    void aChecksumTheSenderLeftPartialIsCompleted() throws Exception {
        byte[] frame = Frames.udp4(ModelSettings.DEFAULT.mac(), Frames.ip(10, 9, 0, 2), Frames.ip(10, 9, 0, 1), 1111,
                2222, 300, 9);
        int udp = 34;
        int pseudo = fold(sum(frame, 26, 8) + 17 + (frame.length - udp));
        frame[udp + 6] = (byte) (pseudo >> 8);
        frame[udp + 7] = (byte) pseudo;
        offloadSend(frame, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, udp, 6);
        List<byte[]> got = receiveAll(1);
        assertEquals(1, got.size());
        byte[] f = got.get(0);
        // A complete UDP checksum: the sum over pseudo-header and datagram is 0xFFFF.
        assertEquals(0xFFFF, fold(sum(f, 26, 8) + 17 + (f.length - udp) + sum(f, udp, f.length - udp)),
                "UDP checksum verifies");
        assertEquals(1, wire.counters().checksumsCompleted(), "the veth carried it partial, and the wire completed it");
    }

    @Test
    void aUdpGsoSuperFrameIsCutIntoItsDatagrams() throws Exception {
        int segment = 500;
        int segments = 3;
        byte[] whole = Frames.udp4(ModelSettings.DEFAULT.mac(), Frames.ip(10, 9, 0, 2), Frames.ip(10, 9, 0, 1), 4500,
                4500, 42 + segment * segments, 5);
        offloadSend(whole, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, segment, 34, 6);
        List<byte[]> got = receiveAll(segments);
        assertEquals(segments, got.size(), "one datagram per segment");
        assertEquals(1, wire.counters().superFramesCut(), "the veth carried it whole, and the wire cut it");
        for (int i = 0; i < segments; i++) {
            byte[] d = got.get(i);
            assertEquals(42 + segment, d.length);
            assertEquals(20 + 8 + segment, (d[16] & 0xff) << 8 | d[17] & 0xff, "IPv4 total length");
            assertEquals(8 + segment, (d[38] & 0xff) << 8 | d[39] & 0xff, "UDP length");
            assertEquals(0xFFFF, fold(sum(d, 14, 20)), "IPv4 header checksum");
            for (int k = 0; k < segment; k++) {
                assertEquals(whole[42 + i * segment + k], d[42 + k], "payload byte " + k + " of datagram " + i);
            }
        }
    }

    private void offloadSend(byte[] frame, int flags, int gsoType, int gsoSize, int csumStart, int csumOffset)
            throws Exception {
        long slot = peerOffloads.txNext();
        assertTrue(slot >= 0, "peer tx ring has room");
        VirtioNetHeader.set(peerOffloads.memory(), slot + PacketRing.txHeaderOffset(), flags, gsoType, 42, gsoSize,
                csumStart, csumOffset);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, peerOffloads.memory(), slot + peerOffloads.txPacketOffset(),
                frame.length);
        peerOffloads.txSubmit(slot, frame.length);
        peerOffloads.txKick();
    }

    private static long sum(byte[] f, int from, int length) {
        long s = 0;
        for (int i = from; i < from + length; i += 2) {
            s += (f[i] & 0xff) << 8 | (i + 1 < from + length ? f[i + 1] & 0xff : 0);
        }
        return s;
    }

    private static int fold(long s) {
        while (s > 0xffff) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    private void peerSend(byte[] frame) throws Exception {
        long slot = peer.txNext();
        assertTrue(slot >= 0, "peer tx ring has room");
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, peer.memory(), slot + peer.txPacketOffset(), frame.length);
        peer.txSubmit(slot, frame.length);
        peer.txKick();
    }

    private void peerReceive(List<byte[]> into) {
        for (long h = peer.rxNext(); h >= 0; h = peer.rxNext()) {
            if (!peer.rxOutgoing(h)) {
                into.add(peer.memory().asSlice(peer.rxFrame(h), peer.rxSnapLength(h)).toArray(ValueLayout.JAVA_BYTE));
            }
            peer.rxRelease();
        }
    }

    private List<byte[]> receiveAll(int expected) {
        MemorySegment[] frames = segments(64);
        int[] lengths = new int[64];
        List<byte[]> got = new ArrayList<>();
        until(() -> {
            int n = driver.receive(0, frames, lengths, frames.length);
            for (int i = 0; i < n; i++) {
                got.add(frames[i].asSlice(0, lengths[i]).toArray(ValueLayout.JAVA_BYTE));
            }
            return got.size() >= expected;
        });
        return got;
    }

    private MemorySegment[] segments(int n) {
        MemorySegment[] s = new MemorySegment[n];
        for (int i = 0; i < n; i++) {
            s[i] = arena.allocate(16 * 1024, 64);
        }
        return s;
    }

    /** Services model and driver in real time until {@code done}, for at most 5 s. */
    private boolean until(BooleanSupplier done) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            model.service(now);
            driver.poll(now);
            if (done.getAsBoolean()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return done.getAsBoolean();
    }
}
