package dev.cipherlane.ipsec.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The AES-256 test cases of the GCM specification (resource {@code gcm-spec-aes256.txt}) through
 * every engine, in off-heap memory at an odd offset: sealing gives C and T, opening gives P back,
 * and a flipped bit in the tag or the AAD makes opening fail.
 */
class GcmSpecVectorsTest {
    /** Data sits at this unaligned offset in the segment, the AAD elsewhere. */
    private static final int TEXT_AT = 1037;
    private static final int AAD_AT = 3;

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Map<String, String> v : TestVectors.load("gcm-spec-aes256.txt")) {
            for (String engine : TestEngines.NAMES) {
                out.add(Arguments.of(engine, "case " + v.get("case"), v));
            }
        }
        return out;
    }

    private static AeadKey key(Map<String, String> v) {
        byte[] iv = Hex.bytes(v.get("IV"));
        int salt = (iv[0] & 0xFF) << 24 | (iv[1] & 0xFF) << 16 | (iv[2] & 0xFF) << 8 | iv[3] & 0xFF;
        return AeadKey.of(Hex.bytes(v.get("K")), salt);
    }

    private static long explicitIv(Map<String, String> v) {
        byte[] iv = Hex.bytes(v.get("IV"));
        long x = 0;
        for (int i = 4; i < 12; i++) {
            x = x << 8 | (iv[i] & 0xFF);
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void sealGivesTheCiphertextAndTag(String engineName, String name, Map<String, String> v) {
        AeadEngine engine = TestEngines.create(engineName);
        byte[] p = Hex.bytes(v.get("P"));
        byte[] a = Hex.bytes(v.get("A"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4096);
            MemorySegment.copy(p, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, p.length);
            MemorySegment.copy(a, 0, seg, ValueLayout.JAVA_BYTE, AAD_AT, a.length);
            assertTrue(engine.seal(key(v), explicitIv(v), seg, AAD_AT, a.length, seg, TEXT_AT, p.length));
            byte[] sealed = seg.asSlice(TEXT_AT, p.length + AeadEngine.ICV_BYTES).toArray(ValueLayout.JAVA_BYTE);
            assertEquals(v.get("C") + v.get("T"), Hex.of(sealed));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void openGivesThePlaintextBackAndRefusesTampering(String engineName, String name, Map<String, String> v) {
        AeadEngine engine = TestEngines.create(engineName);
        byte[] sealed = Hex.bytes(v.get("C") + v.get("T"));
        byte[] a = Hex.bytes(v.get("A"));
        int length = sealed.length - AeadEngine.ICV_BYTES;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4096);
            MemorySegment.copy(sealed, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, sealed.length);
            MemorySegment.copy(a, 0, seg, ValueLayout.JAVA_BYTE, AAD_AT, a.length);
            assertTrue(engine.open(key(v), explicitIv(v), seg, AAD_AT, a.length, seg, TEXT_AT, length));
            assertArrayEquals(Hex.bytes(v.get("P")), seg.asSlice(TEXT_AT, length).toArray(ValueLayout.JAVA_BYTE));

            // The last tag bit flipped.
            sealed[sealed.length - 1] ^= 1;
            MemorySegment.copy(sealed, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, sealed.length);
            assertFalse(engine.open(key(v), explicitIv(v), seg, AAD_AT, a.length, seg, TEXT_AT, length));
            sealed[sealed.length - 1] ^= 1;

            // One more AAD byte than was authenticated.
            MemorySegment.copy(sealed, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, sealed.length);
            assertFalse(engine.open(key(v), explicitIv(v), seg, AAD_AT, a.length + 1, seg, TEXT_AT, length));
        }
    }
}
