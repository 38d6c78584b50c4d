package dev.cipherlane.ipsec.ike.port;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.builtin.PuntQueue;
import dev.cipherlane.stages.testing.StageHarness;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** IKE (UDP 500, UDP 4500 behind the non-ESP marker) goes to the IKE queue; everything else on. */
class IkeInputTest {
    /** A queue that takes {@code room} packets. */
    private static final class Queue implements PuntQueue {
        final List<Integer> taken = new ArrayList<>();
        final int room;

        Queue(int room) {
            this.room = room;
        }

        @Override
        public boolean offer(int bi) {
            if (taken.size() >= room) {
                return false;
            }
            taken.add(bi);
            return true;
        }
    }

    private static byte[] udp(int port, int flagsFragment, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + 8 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) b.capacity()).putShort((short) 1)
                .putShort((short) flagsFragment).put((byte) 64).put((byte) 17).putShort((short) 0)
                .putInt(0x0AC8_0002).putInt(0x0AC8_0001);
        b.putShort((short) 500).putShort((short) port).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private static byte[] tcp() {
        byte[] p = udp(500, 0, new byte[20]);
        p[9] = 6;
        return p;
    }

    @Test
    void ikeGoesToTheQueueAndEverythingElseOn() {
        Queue q = new Queue(10);
        try (StageHarness h = new StageHarness(new IkeInput(q))) {
            byte[] ikeMessage = new byte[28];
            byte[] marked = new byte[32]; // four zero bytes, then the IKE header
            byte[] esp = new byte[32];
            esp[0] = 1; // a non-zero SPI: ESP in UDP, not IKE
            int on500 = h.packet(udp(500, 0, ikeMessage), 0);
            int on4500 = h.packet(udp(4500, 0, marked), 0);
            int espIn4500 = h.packet(udp(4500, 0, esp), 0);
            int fragment = h.packet(udp(500, 0x2000, ikeMessage), 0);
            int dns = h.packet(udp(53, 0, ikeMessage), 0);
            int other = h.packet(tcp(), 0);
            int runt = h.packet(new byte[10], 0);
            h.run(IkeInput.NAME, on500, on4500, espIn4500, fragment, dns, other, runt);
            assertEquals(List.of(on500, on4500), q.taken);
            assertEquals(List.of(espIn4500, fragment, dns, other, runt), h.captured(IkeInput.NAME + ".other"));
            assertEquals(2, h.errors(IkeInput.NAME, "ike received"));
            q.taken.forEach(h.buffers()::free);
            h.freeCaptured(IkeInput.NAME + ".other");
        }
    }

    @Test
    void aFullQueueDropsAndCounts() {
        Queue q = new Queue(1);
        try (StageHarness h = new StageHarness(new IkeInput(q))) {
            int a = h.packet(udp(500, 0, new byte[28]), 0);
            int b = h.packet(udp(500, 0, new byte[28]), 0);
            h.run(IkeInput.NAME, a, b);
            assertEquals(List.of(a), q.taken);
            assertEquals(1, h.errors(IkeInput.NAME, "ike queue full"));
            assertEquals(1, h.errors(IkeInput.NAME, "ike received"));
            q.taken.forEach(h.buffers()::free);
        }
    }
}
