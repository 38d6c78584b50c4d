package dev.cipherlane.ipsec.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.AeadKey;
import dev.cipherlane.ipsec.crypto.Hex;
import dev.cipherlane.ipsec.crypto.TestEngines;
import dev.cipherlane.ipsec.crypto.TestVectors;
import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.ipsec.sa.SaLimits;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
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
 * The AES-256 ESP packets of draft-mcgrew-gcm-test-01 (resource
 * {@code esp-gcm-aes256-vectors.txt}): through every engine as AEAD vectors, and whole through
 * esp-decrypt. Their payloads end in next header 1, which a tunnel-mode receiver of IPIP refuses,
 * but only after the ICV passed and the window took the number: so a vector packet must be
 * dropped as "bad next header", never as "integrity check failed", and the same packet again as
 * "replay".
 */
class EspVectorsTest {
    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Map<String, String> v : TestVectors.load("esp-gcm-aes256-vectors.txt")) {
            for (String engine : TestEngines.NAMES) {
                out.add(Arguments.of(engine, v.get("name"), v));
            }
        }
        return out;
    }

    private static AeadKey key(Map<String, String> v) {
        return AeadKey.of(Hex.bytes(v.get("key")), (int) Long.parseLong(v.get("salt"), 16));
    }

    private static long iv(Map<String, String> v) {
        return Long.parseUnsignedLong(v.get("iv"), 16);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void enginesSealAndOpenTheVector(String engineName, String name, Map<String, String> v) {
        AeadEngine engine = TestEngines.create(engineName);
        byte[] aad = Hex.bytes(v.get("aad"));
        byte[] plain = Hex.bytes(v.get("plaintext"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(1024);
            MemorySegment.copy(aad, 0, seg, ValueLayout.JAVA_BYTE, 0, aad.length);
            MemorySegment.copy(plain, 0, seg, ValueLayout.JAVA_BYTE, 100, plain.length);
            assertTrue(engine.seal(key(v), iv(v), seg, 0, aad.length, seg, 100, plain.length));
            assertEquals(v.get("sealed"), Hex.of(seg.asSlice(100, plain.length + 16).toArray(ValueLayout.JAVA_BYTE)));
            assertTrue(engine.open(key(v), iv(v), seg, 0, aad.length, seg, 100, plain.length));
            assertArrayEquals(plain, seg.asSlice(100, plain.length).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void espDecryptVerifiesTheVectorThenRefusesItsNextHeader(String engineName, String name, Map<String, String> v) {
        long seq = Long.parseUnsignedLong(v.get("seq"), 16);
        boolean esn = v.get("seq").length() == 16;
        int spi = (int) Long.parseLong(v.get("spi"), 16);
        SaTable table = new SaTable();
        int sa = table.add(new SecurityAssociation(spi, Direction.INBOUND, Hex.bytes(v.get("key")),
                (int) Long.parseLong(v.get("salt"), 16), esn, 1024, UdpEncapsulation.NONE, 0, SaLimits.NONE));
        SaState state = table.state(sa);
        if (esn) {
            // A receiver infers the high half near its window (RFC 4303 appendix A2.2): start the
            // window just below the vector's number, as if the SA had been running.
            state.window().resumeAfter(seq - 0x100);
        }
        table.publish();
        byte[] packet = EspPackets.outer(Hex.bytes(v.get("packet")));
        TestEngines.assumeAvailable(engineName);
        EspDecrypt stage = new EspDecrypt(new EspStageParams(table::current, AeadEngines.perWorker(engineName, 1)));
        try (StageHarness h = new StageHarness(stage)) {
            h.run(EspDecrypt.NAME, h.packet(packet, 0));
            assertEquals(0, h.errors(EspDecrypt.NAME, "integrity check failed"), "the ICV verifies");
            assertEquals(1, h.errors(EspDecrypt.NAME, "bad next header"), "next header 1 is not IPIP");
            assertEquals(seq, state.window().highest(), "the window took the number, high half inferred");

            h.run(EspDecrypt.NAME, h.packet(packet, 0));
            assertEquals(1, h.errors(EspDecrypt.NAME, "replay"));
            assertEquals(1, state.counters().drops(SaDrop.BAD_NEXT_HEADER));
            assertEquals(1, state.counters().drops(SaDrop.REPLAY));
            assertEquals(0, h.captured("esp-decrypt.ipip").size());
        }
    }
}
