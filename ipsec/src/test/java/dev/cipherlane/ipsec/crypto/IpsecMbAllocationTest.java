package dev.cipherlane.ipsec.crypto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The ipsec-mb engine allocates nothing per packet: sealing and opening 1400-byte packets under
 * interleaved keys, ESN and not, and refusing forged ones, counted in bytes this thread
 * allocated as the JVM reports them (ThreadMXBean), after warm-up so the JIT has compiled the
 * downcalls. A byte count, not a timing; the JDK engine allocates about 1 KB per packet here.
 */
class IpsecMbAllocationTest {
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 20_000;
    private static final int LENGTH = 1400;

    @Test
    void sealAndOpenAllocateNothing() {
        TestEngines.assumeIpsecMb();
        AeadEngine engine = AeadEngines.create(IpsecMbAesGcm.NAME);
        AeadKey[] keys = new AeadKey[3];
        for (int i = 0; i < keys.length; i++) {
            byte[] k = new byte[AeadEngine.KEY_BYTES];
            k[0] = (byte) i;
            keys[i] = AeadKey.of(k, 0x01020304 * (i + 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(2048);
            MemorySegment forged = arena.allocate(2048);
            for (int i = 0; i < WARM_UP; i++) {
                round(engine, keys, seg, forged, i);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                round(engine, keys, seg, forged, WARM_UP + i);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            double perPacket = allocated / (double) (3L * MEASURED);
            // One object per call would be >= 16 bytes per packet.
            assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
        }
    }

    /** One seal, one open, one refused open. */
    private static void round(AeadEngine engine, AeadKey[] keys, MemorySegment seg, MemorySegment forged, int i) {
        AeadKey key = keys[i % keys.length];
        int aad = (i & 1) == 0 ? 8 : 12;
        if (!engine.seal(key, i, seg, 0, aad, seg, 32, LENGTH) || !engine.open(key, i, seg, 0, aad, seg, 32, LENGTH)) {
            throw new AssertionError("packet " + i);
        }
        if (engine.open(key, i, forged, 0, aad, forged, 32, LENGTH)) {
            throw new AssertionError("forged packet " + i + " opened");
        }
    }
}
