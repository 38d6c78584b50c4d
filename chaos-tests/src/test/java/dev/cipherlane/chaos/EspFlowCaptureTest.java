package dev.cipherlane.chaos;

import static dev.cipherlane.chaos.Frames.N1;
import static dev.cipherlane.chaos.Frames.N2;
import static dev.cipherlane.chaos.Frames.POD_A;
import static dev.cipherlane.chaos.Frames.POD_B;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.ipsec.keys.KeyMaterial;
import dev.cipherlane.ipsec.keys.SaKeys;
import dev.cipherlane.testbed.BytePattern;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The capture opens ESP as RFC 4303 and RFC 4106 lay it out, in IP and in UDP 4500, and
 * rejects what does not verify. The packets are sealed here with the JDK's AES-GCM: salt and
 * IV as nonce, SPI and sequence number as AAD, padding to a multiple of 4 with 1, 2, 3...
 */
class EspFlowCaptureTest {
    private static final int SPI_OUT = 0x5000_0001;
    private static final int SPI_BACK = 0x5000_0002;
    private final Random random = new Random(17);
    private final byte[] keyOut = material();
    private final byte[] keyBack = material();

    private byte[] material() {
        byte[] m = new byte[KeyMaterial.LENGTH];
        random.nextBytes(m);
        return m;
    }

    private EspFlowCapture capture() throws Exception {
        return EspFlowCapture.of(List.of(new SaKeys(SPI_OUT, KeyMaterial.of(keyOut)),
                new SaKeys(SPI_BACK, KeyMaterial.of(keyBack))));
    }

    /** An ESP packet (SPI to ICV) carrying {@code inner} with next header {@code next}. */
    private static byte[] seal(byte[] material, int spi, int sequence, byte[] inner, int next) throws Exception {
        int pad = -(inner.length + 2) & 3;
        ByteBuffer plain = ByteBuffer.allocate(inner.length + pad + 2).put(inner);
        for (int i = 1; i <= pad; i++) {
            plain.put((byte) i);
        }
        plain.put((byte) pad).put((byte) next);
        byte[] iv = ByteBuffer.allocate(8).putLong(sequence).array();
        byte[] nonce = ByteBuffer.allocate(12).put(material, 32, 4).put(iv).array();
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(material, 0, 32, "AES"), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(ByteBuffer.allocate(8).putInt(spi).putInt(sequence).array());
        byte[] sealed = gcm.doFinal(plain.array());
        return Frames.esp(spi, sequence, ByteBuffer.allocate(8 + sealed.length).put(iv).put(sealed).array());
    }

    private static void see(EspFlowCapture c, byte[] frame) {
        c.frame(Direction.A_TO_B, MemorySegment.ofArray(frame), frame.length);
    }

    private static byte[] streamBytes(int n) {
        byte[] b = new byte[n];
        new BytePattern(5).copy(0, b, 0, n);
        return b;
    }

    @Test
    void opensEspInIpAndInUdpAndKeysInnerFlowsByTheirSaAndOuterPair() throws Exception {
        EspFlowCapture c = capture();
        byte[] there = Frames.ip4(POD_A, POD_B, 6, Frames.tcp(41000, 7500, streamBytes(1000)));
        byte[] back = Frames.ip4(POD_B, POD_A, 6, Frames.tcp(7500, 41000, new byte[0]));
        byte[] six = Frames.ip6(0xfd01_0001_0000_0000L, 0x11, 0xfd01_0002_0000_0000L, 0x11, 17,
                Frames.udp(5353, 5354, new byte[3]));
        see(c, Frames.frame4(N1, N2, 50, seal(keyOut, SPI_OUT, 1, there, 4)));
        see(c, Frames.frame4(N1, N2, 50, seal(keyOut, SPI_OUT, 2, there, 4)));
        see(c, Frames.frame4(N2, N1, 17, Frames.udp(4500, 4500, seal(keyBack, SPI_BACK, 1, back, 4))));
        see(c, Frames.frame4(N1, N2, 50, seal(keyOut, SPI_OUT, 3, six, 41)));
        see(c, Frames.arp());
        see(c, Frames.frame4(N2, N1, 17, Frames.udp(4500, 4500, new byte[] {(byte) 0xFF})));

        assertEquals(4, c.opened());
        assertEquals(0, c.rejected(), () -> c.failures().toString());
        assertEquals(2, c.withStreamBytes());
        Map<String, Set<String>> shown = new TreeMap<>();
        c.flows().forEach((k, v) -> shown.put(k.toString(), new TreeSet<>(v.stream().map(Object::toString)
                .toList())));
        assertEquals(Map.of(
                "proto 6 10.1.1.11:41000 > 10.1.2.11:7500", Set.of("spi 0x50000001 (10.200.0.1 > 10.200.0.2)"),
                "proto 6 10.1.2.11:7500 > 10.1.1.11:41000", Set.of("spi 0x50000002 (10.200.0.2 > 10.200.0.1)"),
                "proto 17 fd01:1:0:0:0:0:0:11:5353 > fd01:2:0:0:0:0:0:11:5354",
                Set.of("spi 0x50000001 (10.200.0.1 > 10.200.0.2)")), shown);
    }

    @Test
    void rejectsATamperedPacketAWrongKeyAndAnUnknownSpi() throws Exception {
        EspFlowCapture c = capture();
        byte[] inner = Frames.ip4(POD_A, POD_B, 17, Frames.udp(1, 2, new byte[20]));
        byte[] tampered = seal(keyOut, SPI_OUT, 9, inner, 4);
        tampered[30] ^= 1;
        see(c, Frames.frame4(N1, N2, 50, tampered));
        // The sequence number is authenticated too (AAD, RFC 4106 section 5).
        byte[] renumbered = seal(keyOut, SPI_OUT, 10, inner, 4);
        renumbered[7] ^= 1;
        see(c, Frames.frame4(N1, N2, 50, renumbered));
        see(c, Frames.frame4(N1, N2, 50, seal(keyBack, SPI_OUT, 11, inner, 4)));
        see(c, Frames.frame4(N1, N2, 50, seal(keyOut, 0x7777_7777, 1, inner, 4)));
        see(c, Frames.frame4(N1, N2, 50, seal(keyOut, SPI_OUT, 12, inner, 59)));
        assertEquals(0, c.opened());
        assertEquals(5, c.rejected());
        assertEquals(5, c.failures().size(), () -> c.failures().toString());
        assertEquals("spi 0x77777777 is in no key file", c.failures().get(3));
        assertEquals("spi 0x50000001: next header 59, pad length 2 of 52 bytes", c.failures().get(4));
    }
}
