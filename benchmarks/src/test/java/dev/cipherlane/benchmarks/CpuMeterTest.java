package dev.cipherlane.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CPU figures beside the cross-node throughput: what is read from /proc, and how. */
class CpuMeterTest {
    @Test
    void machineBusyIsEverythingButIdleAndIowait() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertEquals(1 + 2 + 3 + 6 + 7 + 8, CpuMeter.machineBusy("cpu  1 2 3 4000 5000 6 7 8 9 10"));
        assertThrows(IllegalArgumentException.class, () -> CpuMeter.machineBusy("cpu0 1 2 3 4 5 6 7 8"));
    }

    @Test
    void processTicksAreUtimePlusStimeEvenWithSpacesInTheName() {
        String stat = "4242 (wireguard go) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 70 0 0 20 0 9 0 123 0 0";
        assertEquals(320, CpuMeter.processTicks(stat));
    }

    @Test
    void spentPerGigabyte() {
        CpuMeter.Spent s = new CpuMeter.Sample(300, 100).since(new CpuMeter.Sample(100, 50));
        assertEquals(2.0, s.machine());
        assertEquals(0.5, s.dataplane());
        assertEquals(1.0, s.perGigabyte(2_000_000_000L).machine());
        assertTrue(Double.isNaN(s.perGigabyte(0).machine()));
    }

    @Test
    void aSampleOfThisMachineCounts() throws Exception {
        CpuMeter.Sample a = CpuMeter.sample();
        long spin = System.nanoTime() + 300_000_000L;
        long x = 0;
        while (System.nanoTime() < spin) {
            x += x ^ System.nanoTime();
        }
        CpuMeter.Sample b = CpuMeter.sample();
        assertTrue(b.machine() > a.machine() || x == 42, "300 ms of spinning shows in /proc/stat");
    }
}
