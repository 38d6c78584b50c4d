package dev.cipherlane.ipsec.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.ipsec.crypto.TestEngines;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * esp-encrypt into esp-decrypt: every inner size from 1 to 1500 bytes, IPv4 and IPv6 inner
 * packets, with and without UDP encapsulation and ESN, with every engine. What comes out must
 * be exactly the IPIP packet that went in, tagged with the inbound SA, and both SAs must have
 * counted every packet and inner byte.
 */
class EspRoundTripTest {
    private static final int MAX_INNER = 1500;
    private static final int BATCH = 250;

    static List<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        for (String engine : TestEngines.NAMES) {
            for (boolean udp : new boolean[] {false, true}) {
                for (boolean esn : new boolean[] {false, true}) {
                    for (int version : new int[] {4, 6}) {
                        out.add(Arguments.of(engine, udp, esn, version));
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} udp={1} esn={2} inner ip{3}")
    @MethodSource("combinations")
    void everySizeComesBackExactly(String engine, boolean udp, boolean esn, int version) {
        EspLoop loop = new EspLoop(engine, esn, udp ? UdpEncapsulation.NAT_T : UdpEncapsulation.NONE);
        int protocol = version == 4 ? 4 : 41;
        long innerBytes = 0;
        try (StageHarness h = new StageHarness(MAX_INNER + 64, 4, loop.encrypt(), loop.decrypt())
                .connect(EspEncrypt.NAME, "rewrite", EspDecrypt.NAME)) {
            List<byte[]> sent = new ArrayList<>();
            for (int from = 1; from <= MAX_INNER; from += BATCH) {
                int[] batch = new int[Math.min(BATCH, MAX_INNER + 1 - from)];
                for (int i = 0; i < batch.length; i++) {
                    int size = from + i;
                    byte[] ipip = EspPackets.ipip(EspPackets.inner(version, size, size * 7919L + version), protocol);
                    sent.add(ipip);
                    innerBytes += size;
                    batch[i] = loop.outgoing(h, ipip);
                }
                h.run(EspEncrypt.NAME, batch);
            }
            List<byte[]> received = h.capturedBytes("esp-decrypt.ipip");
            assertEquals(MAX_INNER, received.size(), "every packet came back; errors at decrypt: "
                    + h.errors(EspDecrypt.NAME, "integrity check failed") + " integrity");
            PacketMemory mem = h.memory();
            for (int i = 0; i < MAX_INNER; i++) {
                assertArrayEquals(sent.get(i), received.get(i), "inner size " + (i + 1));
                int bi = h.captured("esp-decrypt.ipip").get(i);
                assertEquals(loop.inbound, mem.saIndex(bi));
                assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
            }
            SaState out = loop.table.state(loop.outbound);
            SaState in = loop.table.state(loop.inbound);
            assertEquals(MAX_INNER, out.counters().packets());
            assertEquals(innerBytes, out.counters().bytes());
            assertEquals(MAX_INNER, in.counters().packets());
            assertEquals(innerBytes, in.counters().bytes());
            assertEquals(MAX_INNER, in.window().highest());
        }
    }
}
