package dev.cipherlane.ipsec.crypto;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The known-answer test ipsec-mb must pass before its engine may go live: test case 16 of the
 * GCM specification (McGrew and Viega, "The Galois/Counter Mode of Operation", Appendix B;
 * AES-256, 96-bit IV, 20 bytes of AAD, 60 bytes of text, so a partial last block in both),
 * sealed and opened in place through the very functions the engine will call, and a tampered
 * tag that opening must not reproduce. A wrong {@link ImbLayout} offset (another function
 * behind the pointer) or a broken build fails here rather than on the wire.
 */
final class IpsecMbSelfTest {
    private IpsecMbSelfTest() {}

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] K = HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    private static final byte[] P = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    private static final byte[] A = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    private static final byte[] IV = HEX.parseHex("cafebabefacedbaddecaf888");
    private static final byte[] C = HEX.parseHex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
    private static final byte[] T = HEX.parseHex("76fc6ece0f4e1768cddf8853bb2d551b");

    /** Null when {@code lib} gives the expected answers, else what went wrong. */
    static String run(IpsecMbLibrary lib) {
        IpsecMbKeyData key = IpsecMbKeyData.precompute(lib.pre(), K);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(ImbLayout.GCM_CONTEXT_DATA_SIZE, 16);
            MemorySegment iv = arena.allocate(16, 16).copyFrom(MemorySegment.ofArray(IV));
            MemorySegment aad = arena.allocate(A.length).copyFrom(MemorySegment.ofArray(A));
            MemorySegment text = arena.allocate(P.length + AeadEngine.ICV_BYTES).copyFrom(MemorySegment.ofArray(P));
            MemorySegment tag = arena.allocate(AeadEngine.ICV_BYTES);
            long t = text.address();

            lib.enc().invokeExact(key.address(), ctx.address(), t, t, (long) P.length, iv.address(), aad.address(),
                    (long) A.length, t + P.length, (long) AeadEngine.ICV_BYTES);
            if (!Arrays.equals(bytes(text, 0, P.length), C)) {
                return "gcm256_enc gave the wrong ciphertext";
            }
            if (!Arrays.equals(bytes(text, P.length, T.length), T)) {
                return "gcm256_enc gave the wrong tag";
            }
            lib.dec().invokeExact(key.address(), ctx.address(), t, t, (long) P.length, iv.address(), aad.address(),
                    (long) A.length, tag.address(), (long) AeadEngine.ICV_BYTES);
            if (!Arrays.equals(bytes(text, 0, P.length), P) || !Arrays.equals(bytes(tag, 0, T.length), T)) {
                return "gcm256_dec did not give the plaintext and tag back";
            }
            // The same ciphertext with one AAD bit flipped must authenticate differently.
            text.copyFrom(MemorySegment.ofArray(C));
            aad.set(ValueLayout.JAVA_BYTE, 0, (byte) (A[0] ^ 1));
            lib.dec().invokeExact(key.address(), ctx.address(), t, t, (long) P.length, iv.address(), aad.address(),
                    (long) A.length, tag.address(), (long) AeadEngine.ICV_BYTES);
            if (Arrays.equals(bytes(tag, 0, T.length), T)) {
                return "gcm256_dec ignored the AAD";
            }
            return null;
        } catch (Throwable e) {
            return e.toString();
        } finally {
            key.wipe();
        }
    }

    private static byte[] bytes(MemorySegment s, long offset, int length) {
        return s.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }
}
