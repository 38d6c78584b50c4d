package dev.cipherlane.ipsec.esp;

import static dev.cipherlane.ipsec.esp.EspPackets.inner;
import static dev.cipherlane.ipsec.esp.EspPackets.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.ipsec.sa.SaEvent;
import dev.cipherlane.ipsec.sa.SaLimit;
import dev.cipherlane.ipsec.sa.SaLimits;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * esp-decrypt adds its counters once per SA per frame ({@link FrameCounters}): a frame's packets
 * and inner bytes arrive together, so a hard limit is noticed at the end of the frame that
 * reached it and the next frame is refused; the replay window still sees every packet.
 */
class EspDecryptFrameTest {
    @Test
    void countersAndLimitsArePerFrame() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 64, null);
        loop.table.replace(loop.inbound, loop.inboundSa.withLimits(SaLimits.packets(2, 3)));
        loop.table.publish();
        try (StageHarness h = loop.decryptHarness()) {
            int[] first = new int[5];
            for (int i = 0; i < first.length; i++) {
                first[i] = h.packet(loop.incoming(i + 1, payload(inner(4, 100 + i, i), 4)), 0);
            }
            h.run(EspDecrypt.NAME, first);
            SaState sa = loop.table.state(loop.inbound);
            assertEquals(5, h.captured("esp-decrypt.ipip").size(), "the frame that reaches the limit goes through");
            assertEquals(5, sa.counters().packets());
            assertEquals(100 + 101 + 102 + 103 + 104, sa.counters().bytes());
            assertEquals(5, sa.window().highest());

            int[] second = {h.packet(loop.incoming(6, payload(inner(4, 64, 6), 4)), 0),
                h.packet(loop.incoming(3, payload(inner(4, 64, 7), 4)), 0)};
            h.run(EspDecrypt.NAME, second);
            assertEquals(2, h.errors(EspDecrypt.NAME, "sa hard limit reached"));
            assertEquals(5, h.captured("esp-decrypt.ipip").size());
            assertEquals(List.of(new SaEvent(loop.inbound, EspLoop.SPI, SaLimit.SOFT_PACKETS),
                    new SaEvent(loop.inbound, EspLoop.SPI, SaLimit.HARD_PACKETS)), loop.table.pollEvents());
        }
    }
}
