package dev.cipherlane.ipsec.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * How {@code ipsec.engine} resolves with and without ipsec-mb, what the loaded library reports,
 * and the engine's handling of what ESP must never do: use a key after its SA is gone, or take
 * a buffer it cannot address.
 */
class IpsecMbEngineTest {
    /** A library name the dynamic loader cannot find: ipsec-mb "not installed". */
    private static final String MISSING = "/nonexistent/libIPSec_MB.so.1";

    private static AeadKey key(int seed) {
        byte[] k = new byte[32];
        new SplittableRandom(seed).nextBytes(k);
        return AeadKey.of(k, seed);
    }

    @Test
    void autoPicksIpsecMbWhenItLoadsAndPassesItsSelfTest() {
        TestEngines.assumeIpsecMb();
        EngineChoice choice = AeadEngines.resolve("auto");
        assertEquals(IpsecMbAesGcm.NAME, choice.engine());
        assertTrue(choice.description().startsWith("ipsec-mb 1."), choice.description());
        assertInstanceOf(IpsecMbAesGcm.class, AeadEngines.create("auto"));
        assertInstanceOf(IpsecMbAesGcm.class, AeadEngines.create("ipsec-mb"));
        assertEquals(JdkAesGcm.NAME, AeadEngines.resolve(" JDK ").engine(), "a named engine is taken as named");
    }

    /**
     * The other tests skip when ipsec-mb is unavailable; this one makes sure "unavailable" is
     * not hiding a broken engine: if the library is installed, it must pass its self-test.
     */
    @Test
    void anInstalledLibraryPassesItsSelfTest() {
        boolean installed;
        try {
            SymbolLookup.libraryLookup(IpsecMbLibrary.DEFAULT_NAME, Arena.global());
            installed = true;
        } catch (IllegalArgumentException e) {
            installed = false;
        }
        assumeTrue(installed, "libipsec-mb1 is not installed");
        assertTrue(IpsecMbAesGcm.status().available(), IpsecMbAesGcm.status()::toString);
    }

    @Test
    void theLoadedLibraryNamesItsVersionAndArchitecture() {
        TestEngines.assumeIpsecMb();
        IpsecMbStatus s = IpsecMbAesGcm.status();
        assertNull(s.reason());
        assertTrue(s.describe().matches("ipsec-mb 1\\.\\d+\\.\\d+ \\((sse|avx|avx2|avx512)(, VAES)?\\)"), s.describe());
    }

    @Test
    void withoutTheLibraryAutoFallsBackToTheJdkAndSaysWhy() {
        IpsecMbStatus missing = IpsecMbStatus.probe(MISSING);
        assertFalse(missing.available());
        assertTrue(missing.reason().contains(MISSING), missing.reason());
        EngineChoice choice = AeadEngines.resolve("auto", missing);
        assertEquals(JdkAesGcm.NAME, choice.engine());
        assertTrue(choice.why().contains("ipsec-mb unavailable") && choice.why().contains(MISSING), choice.why());
        assertEquals(BouncyCastleAesGcm.NAME, AeadEngines.resolve("bouncycastle", missing).engine());
    }

    @Test
    void askingForIpsecMbWithoutItIsAStartupError() {
        IpsecMbStatus missing = IpsecMbStatus.probe(MISSING);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AeadEngines.resolve("ipsec-mb", missing));
        assertTrue(e.getMessage().contains("ipsec-mb") && e.getMessage().contains(MISSING), e.getMessage());
    }

    /** A library that loads but is not ipsec-mb (libc) is refused with a reason, not a crash. */
    @Test
    void aLibraryWithoutTheSymbolsIsUnavailable() {
        IpsecMbStatus libc = IpsecMbStatus.probe("libc.so.6");
        assertFalse(libc.available());
        assertTrue(libc.reason().contains("imb_get_version"), libc.reason());
    }

    @Test
    void aClosedKeyIsWipedAndRefused() {
        TestEngines.assumeIpsecMb();
        AeadEngine engine = AeadEngines.create(IpsecMbAesGcm.NAME);
        AeadKey k = key(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(1024);
            assertTrue(engine.seal(k, 1, seg, 0, 8, seg, 64, 500));
            assertTrue(engine.open(k, 1, seg, 0, 8, seg, 64, 500));
            MemorySegment keyData = MemorySegment.ofAddress(k.ipsecMb().address())
                    .reinterpret(ImbLayout.GCM_KEY_DATA_SIZE);
            assertTrue(keyData.mismatch(arena.allocate(ImbLayout.GCM_KEY_DATA_SIZE)) >= 0, "key data was computed");
            k.close();
            assertEquals(-1, keyData.mismatch(arena.allocate(ImbLayout.GCM_KEY_DATA_SIZE)), "key data is zero");
            assertFalse(engine.seal(k, 2, seg, 0, 8, seg, 64, 500));
            assertFalse(engine.open(k, 1, seg, 0, 8, seg, 64, 500));
            k.close();
        }
    }

    @Test
    void heapBuffersAreRefusedAndBadOffsetsThrowLikeMemorySegment() {
        TestEngines.assumeIpsecMb();
        AeadEngine engine = AeadEngines.create(IpsecMbAesGcm.NAME);
        AeadKey k = key(8);
        MemorySegment heap = MemorySegment.ofArray(new byte[1024]);
        assertFalse(engine.seal(k, 1, heap, 0, 8, heap, 64, 500));
        assertEquals(-1, heap.mismatch(MemorySegment.ofArray(new byte[1024])), "nothing was written");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(600);
            assertThrows(IndexOutOfBoundsException.class, () -> engine.seal(k, 1, seg, 0, 8, seg, 64, 530));
            assertThrows(IndexOutOfBoundsException.class, () -> engine.open(k, 1, seg, 596, 8, seg, 64, 500));
            assertFalse(engine.seal(k, 1, seg, 0, 8, seg, 64, -1));
        }
    }
}
