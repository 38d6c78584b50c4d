package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.lang.foreign.MemorySegment;

/**
 * Layout of the test packets: who made them, their number, how often a job ran on them,
 * the keyed checksum the job wrote and the crypto thread it ran on, then payload bytes
 * derived from the number.
 */
final class TestPackets {
    static final int SEQUENCE = 0;
    static final int PRODUCER = 8;
    static final int RUNS = 12;
    static final int TAG = 16;
    static final int THREAD = 24;
    static final int PAYLOAD = 28;
    static final int LENGTH = 128;

    private TestPackets() {}

    static void fill(PacketMemory mem, int bi, int producer, long seq) {
        mem.length(bi, LENGTH);
        MemorySegment d = mem.data();
        long s = mem.start(bi);
        d.set(Net.U64, s + SEQUENCE, seq);
        mem.u32(bi, PRODUCER, producer);
        mem.u32(bi, RUNS, 0);
        d.set(Net.U64, s + TAG, 0L);
        mem.u32(bi, THREAD, -1);
        for (int i = PAYLOAD; i < LENGTH; i++) {
            d.set(Net.U8, s + i, (byte) (seq * 31 + i));
        }
    }

    static long sequence(PacketMemory mem, int bi) {
        return mem.data().get(Net.U64, mem.start(bi) + SEQUENCE);
    }

    static long tag(PacketMemory mem, int bi) {
        return mem.data().get(Net.U64, mem.start(bi) + TAG);
    }

    /**
     * A keyed checksum of the payload, {@code rounds} passes (FNV-1a style, seeded by the
     * key): enough work to keep a core busy, no allocation.
     */
    static long checksum(PacketMemory mem, int bi, long key, int rounds) {
        MemorySegment d = mem.data();
        long s = mem.start(bi);
        int len = mem.length(bi);
        long h = key;
        for (int r = 0; r < rounds; r++) {
            for (int i = PAYLOAD; i < len; i++) {
                h = (h ^ d.get(Net.U8, s + i)) * 0x100000001b3L;
            }
            h ^= h >>> 29;
        }
        return h;
    }
}
