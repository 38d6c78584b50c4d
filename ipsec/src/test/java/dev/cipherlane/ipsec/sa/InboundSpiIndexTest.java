package dev.cipherlane.ipsec.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InboundSpiIndexTest {
    @Test
    void everySpiIsFoundAndNothingElse() {
        SplittableRandom rnd = new SplittableRandom(4303);
        for (int count : new int[] {0, 1, 7, 8, 9, 1000}) {
            Map<Integer, Integer> expected = new HashMap<>();
            int[] spis = new int[count];
            int[] sas = new int[count];
            for (int i = 0; i < count; i++) {
                int spi;
                do {
                    // Half random, half consecutive: both must spread.
                    spi = i % 2 == 0 ? rnd.nextInt() : 0x1000 + i;
                } while (expected.containsKey(spi));
                spis[i] = spi;
                sas[i] = 3 * i;
                expected.put(spi, 3 * i);
            }
            InboundSpiIndex index = new InboundSpiIndex(spis, sas, count);
            for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
                assertEquals(e.getValue(), index.find(e.getKey()));
            }
            for (int i = 0; i < 10_000; i++) {
                int probe = rnd.nextInt();
                assertEquals(expected.getOrDefault(probe, InboundSpiIndex.NOT_FOUND), index.find(probe));
            }
        }
    }

    @Test
    void aSpiTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new InboundSpiIndex(new int[] {5, 6, 5}, new int[] {0, 1, 2}, 3));
    }
}
