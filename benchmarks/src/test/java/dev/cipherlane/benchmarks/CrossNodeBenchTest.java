package dev.cipherlane.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which paths the cross-node benchmark runs. */
class CrossNodeBenchTest {

    @Test
    void allPathsUnlessSomeAreNamed() {
        assertEquals(Set.of("kernel", "ipip", "esp", "esp-udp", "esp-udp-jdk", "wireguard"), CrossNodeBench.paths(null));
        assertEquals(CrossNodeBench.paths(null), CrossNodeBench.paths(" "));
        assertEquals(Set.of("kernel", "esp-udp"), CrossNodeBench.paths("kernel, esp-udp"));
        assertEquals(Set.of("esp"), CrossNodeBench.paths("esp"), "esp alone is not esp-udp");
    }

    @Test
    void anUnknownPathIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossNodeBench.paths("kernel,espudp"));
        assertTrue(e.getMessage().contains("unknown path \"espudp\""), e.getMessage());
        assertTrue(e.getMessage().contains("kernel, ipip, esp, esp-udp, esp-udp-jdk, wireguard"), e.getMessage());
    }
}
