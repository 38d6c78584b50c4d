package dev.cipherlane.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.stages.testing.StageHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks afpacket-output makes before it touches a ring, and ring configuration checks. */
class AfPacketOutputTest {
    private static final String OUTPUT = AfPacketOutput.NAME;

    @Test
    void aPacketForAnInterfaceWithoutRingsIsDropped() {
        AfPacketOutput out = new AfPacketOutput(AfPacketOutput.Params.of(Map.of()));
        try (StageHarness h = new StageHarness(out)) {
            int bi = h.packet(Frames.udp(1, 2, 3, 20), 0);
            h.memory().txInterface(bi, 4);
            h.run(OUTPUT, bi);
            assertEquals(1, h.errors(OUTPUT, "unknown interface"));
        }
    }

    @Test
    void aWorkerWithoutItsOwnRingDoesNotTransmit() {
        // Interface 1 is an uplink, but worker 0 has no ring on it.
        AfPacketOutput out = new AfPacketOutput(AfPacketOutput.Params.of(Map.of(1, List.of())));
        try (StageHarness h = new StageHarness(out)) {
            int bi = h.packet(Frames.udp(1, 2, 3, 20), 0);
            h.memory().txInterface(bi, 1);
            h.run(OUTPUT, bi);
            assertEquals(1, h.errors(OUTPUT, "no tx ring on this worker"));
            assertEquals(0, h.errors(OUTPUT, "unknown interface"));
        }
    }

    @Test
    void ringGeometryTheKernelWouldRefuseIsRejected() {
        // Block not a multiple of the page size.
        assertThrows(IllegalArgumentException.class,
                () -> new PacketRing.Config(5000, 4, 2048, 10, 4096, 1, -1, false));
        // Frame size not a multiple of 16.
        assertThrows(IllegalArgumentException.class,
                () -> new PacketRing.Config(4096, 4, 2040, 10, 4096, 1, -1, false));
        // Frame smaller than TPACKET3_HDRLEN.
        assertThrows(IllegalArgumentException.class,
                () -> new PacketRing.Config(4096, 4, 64, 10, 4096, 1, -1, false));
        // Fanout group ids are 16 bits.
        assertThrows(IllegalArgumentException.class,
                () -> new PacketRing.Config(4096, 4, 2048, 10, 4096, 1, 0x10000, false));
        assertEquals(256, PacketRing.Config.defaults(7).txFrames());
    }
}
