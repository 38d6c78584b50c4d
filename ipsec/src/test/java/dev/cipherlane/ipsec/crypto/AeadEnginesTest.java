package dev.cipherlane.ipsec.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AeadEnginesTest {
    private static AeadKey key(int seed) {
        byte[] k = new byte[32];
        new SplittableRandom(seed).nextBytes(k);
        return AeadKey.of(k, seed * 0x01010101);
    }

    @Test
    void enginesAreMadeByConfigurationName() {
        assertInstanceOf(JdkAesGcm.class, AeadEngines.create("jdk"));
        assertInstanceOf(BouncyCastleAesGcm.class, AeadEngines.create(" BouncyCastle "));
        assertEquals("auto", AeadEngines.DEFAULT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AeadEngines.create("openssl"));
        assertTrue(e.getMessage().contains("[auto, jdk, bouncycastle, ipsec-mb]"), e.getMessage());
        List<AeadEngine> perWorker = AeadEngines.perWorker("jdk", 3);
        assertEquals(3, perWorker.size());
        assertNotSame(perWorker.get(0), perWorker.get(1), "engines are per thread");
        assertThrows(IllegalArgumentException.class, () -> AeadEngines.perWorker("jdk", 0));
        assertThrows(IllegalArgumentException.class, () -> AeadKey.of(new byte[16], 0));
    }

    /** What one engine seals the other opens, for every length up to two buffers' worth and odd AADs. */
    @Test
    void theTwoEnginesAgree() {
        AeadEngine jdk = AeadEngines.create("jdk");
        AeadEngine bc = AeadEngines.create("bouncycastle");
        SplittableRandom rnd = new SplittableRandom(4106);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(8192);
            for (int length = 0; length <= 4200; length += 1 + rnd.nextInt(23)) {
                AeadKey k = key(length);
                int aad = rnd.nextInt(21);
                long iv = rnd.nextLong();
                byte[] plain = new byte[length];
                rnd.nextBytes(plain);
                byte[] a = new byte[aad];
                rnd.nextBytes(a);
                AeadEngine sealer = length % 2 == 0 ? jdk : bc;
                AeadEngine opener = sealer == jdk ? bc : jdk;
                MemorySegment.copy(a, 0, seg, ValueLayout.JAVA_BYTE, 7, aad);
                MemorySegment.copy(plain, 0, seg, ValueLayout.JAVA_BYTE, 101, length);
                assertTrue(sealer.seal(k, iv, seg, 7, aad, seg, 101, length));
                byte[] sealed = seg.asSlice(101, length + 16).toArray(ValueLayout.JAVA_BYTE);
                assertTrue(opener.open(k, iv, seg, 7, aad, seg, 101, length), "length " + length);
                assertArrayEquals(plain, seg.asSlice(101, length).toArray(ValueLayout.JAVA_BYTE));
                MemorySegment.copy(sealed, 0, seg, ValueLayout.JAVA_BYTE, 101, sealed.length);
                assertFalse(opener.open(k, iv + 1, seg, 7, aad, seg, 101, length), "another nonce");
            }
        }
    }

    /**
     * More SAs than an engine has cipher slots, interleaved packet by packet: keys that share a
     * slot must re-key it, never mix up.
     */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "bouncycastle", "ipsec-mb"})
    void interleavedKeysNeverMixUp(String name) {
        AeadEngine engine = TestEngines.create(name);
        AeadEngine reference = AeadEngines.create(name.equals("jdk") ? "bouncycastle" : "jdk");
        AeadKey[] keys = new AeadKey[3 * JdkAesGcm.SLOTS + 1];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(100 + i);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(2048);
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < keys.length; i++) {
                    seg.fill((byte) i);
                    long iv = round * 1000L + i;
                    assertTrue(engine.seal(keys[i], iv, seg, 0, 8, seg, 64, 500));
                    assertTrue(reference.open(keys[i], iv, seg, 0, 8, seg, 64, 500), "key " + i + " round " + round);
                    assertEquals((byte) i, seg.get(ValueLayout.JAVA_BYTE, 64 + 499));
                }
            }
        }
    }

    /** Both libraries refuse to encrypt twice in a row under one key and nonce: a false, not an exception. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "bouncycastle"})
    void aRepeatedNonceIsRefusedWithoutThrowing(String name) {
        AeadEngine engine = AeadEngines.create(name);
        AeadKey k = key(1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(256);
            assertTrue(engine.seal(k, 42, seg, 0, 8, seg, 16, 64));
            assertFalse(engine.seal(k, 42, seg, 0, 8, seg, 16, 64));
            assertTrue(engine.seal(k, 43, seg, 0, 8, seg, 16, 64), "the engine is usable afterwards");
            assertTrue(AeadEngines.create(name).open(k, 43, seg, 0, 8, seg, 16, 64));
        }
    }

    /**
     * A failed open leaves every byte alone, the text included. (Worth a test: the JDK's own
     * direct-ByteBuffer path zeroes memory before the buffer position on a tag mismatch, and
     * ipsec-mb decrypts in place before the tags are compared, so its engine must encrypt back.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "bouncycastle", "ipsec-mb"})
    void aForgedPacketTouchesNothingAroundIt(String name) {
        AeadEngine engine = TestEngines.create(name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(8192);
            for (long i = 0; i < seg.byteSize(); i++) {
                seg.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
            }
            byte[] before = seg.toArray(ValueLayout.JAVA_BYTE);
            assertFalse(engine.open(key(9), 5, seg, 100, 8, seg, 4096, 1400));
            byte[] after = seg.toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(before, after);
        }
    }
}
