package dev.cipherlane.stages.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** RFC 6040 section 4.2, Figure 4, cell by cell. */
class TunnelEcnTest {
    private static final int DROP = TunnelHeader.ECN_DROP;

    @Test
    void decapsulationFollowsTheRfc6040Table() {
        // Rows: inner Not-ECT, ECT(0), ECT(1), CE. Columns: outer Not-ECT, ECT(0), ECT(1), CE.
        int[] inners = {0b00, 0b10, 0b01, 0b11};
        int[] outers = {0b00, 0b10, 0b01, 0b11};
        int[][] expected = {
                {0b00, 0b00, 0b00, DROP},
                {0b10, 0b10, 0b01, 0b11},
                {0b01, 0b01, 0b01, 0b11},
                {0b11, 0b11, 0b11, 0b11},
        };
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                assertEquals(expected[r][c], TunnelHeader.decapsulatedEcn(inners[r], outers[c]),
                        "inner " + inners[r] + " outer " + outers[c]);
            }
        }
    }
}
