package dev.cipherlane.ipsec.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.IpsecMbAesGcm;
import dev.cipherlane.ipsec.crypto.TestEngines;
import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * esp-encrypt and esp-decrypt allocate nothing per packet of their own: SA lookup, sequence
 * numbers, replay window, counters, headers and trailer. Measured with an allocation-free
 * stand-in cipher ({@link ToyAead}), since the JDK's and Bouncy Castle's allocate inside
 * their libraries, and with the ipsec-mb engine, which must not either: the whole ESP path at
 * ~0 bytes per packet. Bytes allocated by this thread as the JVM counts them, after warm-up (a
 * byte count, not a timing).
 */
class EspAllocationTest {
    private static final int WARM_UP_ROUNDS = 2_000;
    private static final int MEASURED_ROUNDS = 1_000;

    static List<Arguments> cases() {
        return List.of(Arguments.of(ToyAead.NAME, false), Arguments.of(ToyAead.NAME, true),
                Arguments.of(IpsecMbAesGcm.NAME, false), Arguments.of(IpsecMbAesGcm.NAME, true));
    }

    @ParameterizedTest(name = "{0} esn={1}")
    @MethodSource("cases")
    void encryptAndDecryptAllocateNothingPerPacket(String engine, boolean esn) {
        SaTable table = new SaTable();
        byte[] km = EspLoop.keyMaterial(EspLoop.SPI);
        int[] outbound = new int[4];
        for (int i = 0; i < outbound.length; i++) {
            int spi = EspLoop.SPI + i;
            UdpEncapsulation udp = i % 2 == 0 ? UdpEncapsulation.NONE : UdpEncapsulation.NAT_T;
            outbound[i] = table.add(SecurityAssociation.of(spi, Direction.OUTBOUND, km, i).withEsn(esn).withUdp(udp));
            table.add(SecurityAssociation.of(spi, Direction.INBOUND, km, i).withEsn(esn));
        }
        table.publish();
        List<AeadEngine> engines = List.of(engine.equals(ToyAead.NAME) ? new ToyAead() : TestEngines.create(engine));
        byte[][] packets = new byte[16][];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = EspPackets.ipip(EspPackets.inner(i % 3 == 0 ? 6 : 4, 40 + 90 * i, i), i % 3 == 0 ? 41 : 4);
        }
        try (StageHarness h = new StageHarness(2 * Frame.CAPACITY, 0,
                new EspEncrypt(new EspStageParams(table::current, engines)),
                new EspDecrypt(new EspStageParams(table::current, engines)), new Drop())
                .connect(EspEncrypt.NAME, "rewrite", EspDecrypt.NAME)
                .connect(EspDecrypt.NAME, "ipip", Drop.NAME)
                .connect(EspDecrypt.NAME, "ike", Drop.NAME)) {
            int[] frame = new int[Frame.CAPACITY];
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                round(h, packets, outbound, frame);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < MEASURED_ROUNDS; r++) {
                round(h, packets, outbound, frame);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            long sent = (long) (WARM_UP_ROUNDS + MEASURED_ROUNDS) * Frame.CAPACITY;
            assertEquals(sent, h.errors(Drop.NAME, "dropped"), "every packet went through both stages");
            double perPacket = allocated / (double) ((long) MEASURED_ROUNDS * Frame.CAPACITY);
            // One object per packet would be >= 16 bytes; one per frame still >= 0.06.
            assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
        }
    }

    private static void round(StageHarness h, byte[][] packets, int[] outbound, int[] frame) {
        for (int i = 0; i < frame.length; i++) {
            int bi = h.packet(packets[i % packets.length], 1);
            h.memory().saIndex(bi, outbound[i % outbound.length]);
            frame[i] = bi;
        }
        h.run(EspEncrypt.NAME, frame);
    }
}
