package dev.cipherlane.stages.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacketMemoryTest {

    @Test
    void allocatesEveryBufferOnceThenReportsExhaustion() {
        try (PacketMemory mem = new PacketMemory(600, 3)) {
            BufferCache c = mem.newCache();
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 600; i++) {
                int bi = c.allocSmall();
                assertTrue(seen.add(bi), "buffer handed out twice: " + bi);
                assertEquals(SizeClass.SMALL, mem.sizeClass(bi));
            }
            assertEquals(-1, c.allocSmall());
            assertEquals(600, mem.inUse(SizeClass.SMALL));
            for (int i = 0; i < 3; i++) {
                int bi = c.allocLarge();
                assertTrue(seen.add(bi));
                assertEquals(SizeClass.LARGE, mem.sizeClass(bi));
            }
            assertEquals(-1, c.allocLarge());
            for (int bi : seen) {
                c.free(bi);
            }
            assertEquals(0, mem.inUse());
            c.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void bulkTransfersBetweenCachesKeepAccountingExact() {
        try (PacketMemory mem = new PacketMemory(4096, 0)) {
            BufferCache a = mem.newCache();
            BufferCache b = mem.newCache();
            int[] got = new int[3000];
            assertEquals(3000, a.allocSmall(got, 3000));
            assertEquals(3000, mem.inUse());
            // Another worker frees what this one allocated: the packet crossed a ring.
            b.free(got, 0, 3000);
            assertEquals(0, mem.inUse());
            a.close();
            b.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void doubleFreeIsCaught() {
        try (PacketMemory mem = new PacketMemory(16, 0)) {
            BufferCache c = mem.newCache();
            int bi = c.allocSmall();
            c.free(bi);
            assertThrows(IllegalStateException.class, () -> c.free(bi));
        }
    }

    @Test
    void freshBufferHasHeadroomAndCleanMetadata() {
        try (PacketMemory mem = new PacketMemory(16, 1)) {
            BufferCache c = mem.newCache();
            int bi = c.allocSmall();
            mem.flowHash(bi, 7);
            mem.gsoSize(bi, 1400);
            mem.txInterface(bi, 3);
            c.free(bi);
            int again = c.allocSmall();
            assertEquals(bi, again, "cache is LIFO");
            assertEquals(PacketMemory.HEADROOM, mem.dataOffset(again));
            assertEquals(0, mem.length(again));
            assertEquals(0, mem.flowHash(again));
            assertEquals(0, mem.gsoSize(again));
            assertEquals(0, mem.txInterface(again));
            assertEquals(-1, mem.trace(again));
            assertTrue(mem.hasFlag(again, PacketFlags.IN_USE));
        }
    }

    @Test
    void pushPrependsIntoHeadroomWithoutMovingPayload() {
        try (PacketMemory mem = new PacketMemory(16, 1)) {
            BufferCache c = mem.newCache();
            int bi = c.allocSmall();
            mem.write(bi, new byte[] {1, 2, 3, 4});
            long before = mem.start(bi);
            mem.push(bi, 2);
            assertEquals(before - 2, mem.start(bi));
            mem.u16(bi, 0, 0xBEEF);
            assertArrayEquals(new byte[] {(byte) 0xBE, (byte) 0xEF, 1, 2, 3, 4}, mem.read(bi));
            mem.push(bi, -2);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, mem.read(bi));
            assertThrows(IllegalArgumentException.class, () -> mem.push(bi, PacketMemory.HEADROOM + 1));
        }
    }

    @Test
    void buffersDoNotOverlap() {
        try (PacketMemory mem = new PacketMemory(8, 2)) {
            for (int i = 0; i + 1 < 10; i++) {
                long end = mem.base(i) + mem.bufferBytes(i);
                assertTrue(end <= mem.base(i + 1), "buffer " + i + " overlaps " + (i + 1));
            }
            assertNotEquals(mem.bufferBytes(0), mem.bufferBytes(9));
            assertEquals(mem.data().byteSize(), mem.base(9) + mem.bufferBytes(9));
        }
    }

    @Test
    void rejectsOversizeWriteAndBadCounts() {
        assertThrows(IllegalArgumentException.class, () -> new PacketMemory(0, 0));
        try (PacketMemory mem = new PacketMemory(4, 0)) {
            BufferCache c = mem.newCache();
            int bi = c.allocSmall();
            assertThrows(IllegalArgumentException.class, () -> mem.write(bi, new byte[SizeClass.SMALL.bytes]));
        }
    }
}
