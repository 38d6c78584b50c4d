package dev.cipherlane.ipsec.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ipsec-mb against the JDK engine as ESP uses them: random keys and salts, random sequence
 * numbers as the explicit IV, every text length class from 0 to 9000 bytes (jumbo frames), the
 * AAD as SPI‖seq (8 bytes) or SPI‖seq-hi‖seq-lo with ESN (12 bytes, RFC 4106 section 5). Each
 * packet is sealed by one engine and opened by the other, both ways round, and must come back
 * byte for byte with the same ciphertext from both; then a flipped bit in the ICV, the
 * ciphertext or the AAD must make both engines refuse it.
 */
class IpsecMbDifferentialTest {
    private static final int AAD_AT = 5;
    private static final int TEXT_AT = 64 + 3;

    @ParameterizedTest(name = "esn={0}")
    @ValueSource(booleans = {false, true})
    void ipsecMbAndTheJdkAgree(boolean esn) {
        TestEngines.assumeIpsecMb();
        AeadEngine mb = AeadEngines.create(IpsecMbAesGcm.NAME);
        AeadEngine jdk = AeadEngines.create(JdkAesGcm.NAME);
        int aadLength = esn ? 12 : 8;
        SplittableRandom rnd = new SplittableRandom(esn ? 4303 : 4106);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(TEXT_AT + 9000 + AeadEngine.ICV_BYTES + 64);
            for (int length = 0; length <= 9000; length += length < 300 ? 1 : 1 + rnd.nextInt(97)) {
                byte[] k = new byte[AeadEngine.KEY_BYTES];
                rnd.nextBytes(k);
                AeadKey key = AeadKey.of(k, rnd.nextInt());
                long iv = rnd.nextLong();
                byte[] aad = new byte[aadLength];
                rnd.nextBytes(aad);
                byte[] plain = new byte[length];
                rnd.nextBytes(plain);
                boolean mbSeals = (length & 1) == 0;
                AeadEngine sealer = mbSeals ? mb : jdk;
                AeadEngine opener = mbSeals ? jdk : mb;
                String what = "length " + length + (mbSeals ? ", ipsec-mb seals" : ", jdk seals");

                MemorySegment.copy(aad, 0, seg, ValueLayout.JAVA_BYTE, AAD_AT, aadLength);
                MemorySegment.copy(plain, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, length);
                assertTrue(sealer.seal(key, iv, seg, AAD_AT, aadLength, seg, TEXT_AT, length), what);
                byte[] sealed = seg.asSlice(TEXT_AT, length + AeadEngine.ICV_BYTES).toArray(ValueLayout.JAVA_BYTE);

                // The other engine seals to the same bytes.
                MemorySegment.copy(plain, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, length);
                assertTrue(opener.seal(key, iv, seg, AAD_AT, aadLength, seg, TEXT_AT, length), what);
                assertArrayEquals(sealed, seg.asSlice(TEXT_AT, sealed.length).toArray(ValueLayout.JAVA_BYTE), what);

                assertTrue(opener.open(key, iv, seg, AAD_AT, aadLength, seg, TEXT_AT, length), what);
                assertArrayEquals(plain, seg.asSlice(TEXT_AT, length).toArray(ValueLayout.JAVA_BYTE), what);

                int icvBit = rnd.nextInt(AeadEngine.ICV_BYTES * 8);
                flipAndRefuse(mb, jdk, key, iv, seg, aadLength, length, sealed, length + icvBit / 8, icvBit, what + ", ICV");
                if (length > 0) {
                    int bit = rnd.nextInt(length * 8);
                    flipAndRefuse(mb, jdk, key, iv, seg, aadLength, length, sealed, bit / 8, bit, what + ", ciphertext");
                }
                MemorySegment.copy(sealed, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, sealed.length);
                int aadBit = rnd.nextInt(aadLength * 8);
                seg.set(ValueLayout.JAVA_BYTE, AAD_AT + aadBit / 8,
                        (byte) (seg.get(ValueLayout.JAVA_BYTE, AAD_AT + aadBit / 8) ^ (1 << (aadBit & 7))));
                assertFalse(mb.open(key, iv, seg, AAD_AT, aadLength, seg, TEXT_AT, length), what + ", AAD: ipsec-mb");
                assertFalse(jdk.open(key, iv, seg, AAD_AT, aadLength, seg, TEXT_AT, length), what + ", AAD: jdk");
                assertArrayEquals(sealed, seg.asSlice(TEXT_AT, sealed.length).toArray(ValueLayout.JAVA_BYTE),
                        what + ": a refused packet is left as it came");
                key.close();
            }
        }
    }

    /** Puts {@code sealed} back with byte {@code at} flipped at {@code bit}; neither engine may open it. */
    private static void flipAndRefuse(AeadEngine mb, AeadEngine jdk, AeadKey key, long iv, MemorySegment seg,
            int aadLength, int length, byte[] sealed, int at, int bit, String what) {
        byte[] bad = sealed.clone();
        bad[at] ^= (byte) (1 << (bit & 7));
        for (AeadEngine e : new AeadEngine[] {mb, jdk}) {
            MemorySegment.copy(bad, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, bad.length);
            assertFalse(e.open(key, iv, seg, AAD_AT, aadLength, seg, TEXT_AT, length), what + ": " + e.name());
        }
        MemorySegment.copy(sealed, 0, seg, ValueLayout.JAVA_BYTE, TEXT_AT, sealed.length);
    }
}
