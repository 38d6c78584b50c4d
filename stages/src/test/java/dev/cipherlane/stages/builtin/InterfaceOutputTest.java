package dev.cipherlane.stages.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.stages.testing.StageHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterfaceOutputTest {
    private static final List<String> OUTPUTS = List.of("tap-output", "afpacket-output");

    private static int packet(StageHarness h, int tx) {
        int bi = h.packet(new byte[60], 0);
        h.memory().txInterface(bi, tx);
        return bi;
    }

    @Test
    void eachPacketGoesToTheOutputOfItsInterfaceKind() {
        InterfaceOutput out = new InterfaceOutput(InterfaceOutput.Params.of(OUTPUTS,
                Map.of(0, "tap-output", 1, "tap-output", 3, "afpacket-output")));
        try (StageHarness h = new StageHarness(out)) {
            h.run(InterfaceOutput.NAME, packet(h, 0), packet(h, 3), packet(h, 1), packet(h, 3));
            assertEquals(2, h.captured("interface-output.tap-output").size());
            assertEquals(2, h.captured("interface-output.afpacket-output").size());
        }
    }

    @Test
    void unknownOrNegativeInterfacesAreDroppedByName() {
        InterfaceOutput out = new InterfaceOutput(InterfaceOutput.Params.of(OUTPUTS, Map.of(1, "afpacket-output")));
        try (StageHarness h = new StageHarness(out)) {
            h.run(InterfaceOutput.NAME, packet(h, 0), packet(h, 2), packet(h, -1), packet(h, 99));
            assertEquals(4, h.errors(InterfaceOutput.NAME, "unknown tx interface"));
        }
    }

    @Test
    void interfacesMayBeReassignedInPlaceButNotTheOutputs() {
        InterfaceOutput out = new InterfaceOutput(InterfaceOutput.Params.of(OUTPUTS, Map.of(0, "tap-output")));
        out.reconfig(InterfaceOutput.Params.of(OUTPUTS, Map.of(0, "afpacket-output")));
        try (StageHarness h = new StageHarness(out)) {
            h.run(InterfaceOutput.NAME, packet(h, 0));
            assertEquals(1, h.captured("interface-output.afpacket-output").size());
        }
        assertThrows(IllegalArgumentException.class,
                () -> out.reconfig(InterfaceOutput.Params.of(List.of("tap-output"), Map.of(0, "tap-output"))));
        assertThrows(IllegalArgumentException.class,
                () -> InterfaceOutput.Params.of(OUTPUTS, Map.of(0, "nowhere")));
    }
}
