package dev.cipherlane.chaos;

import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.Poll;
import java.time.Duration;
import java.util.function.Supplier;

/** Conditions the node tests wait for. Limits only keep a broken node from hanging the build. */
final class Awaits {
    private static final String BUFFERS = "buffers in use: ";

    private Awaits() {}

    /**
     * Every buffer is accounted for (DESIGN.md): once traffic has stopped, every packet buffer
     * is back in its pool. Stray chatter (router solicitations, ARP) may hold one for a moment.
     */
    static void noBuffersInUse(LabNode node, Supplier<String> diagnostics) throws Exception {
        Poll.until(node.name() + " has every packet buffer back in its pool", Duration.ofSeconds(15),
                () -> buffersInUse(node) == 0, diagnostics);
    }

    /** The "buffers in use" figure of {@code show interfaces}. */
    static long buffersInUse(LabNode node) throws Exception {
        String interfaces = node.admin("show interfaces");
        return interfaces.lines().filter(l -> l.startsWith(BUFFERS)).findFirst()
                .map(l -> Long.parseLong(l.substring(BUFFERS.length()).split(",")[0].strip()))
                .orElseThrow(() -> new AssertionError("no buffer count in show interfaces:\n" + interfaces));
    }
}
