package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.IdleStrategy;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.ring.FrameRing;
import java.util.function.Supplier;

/**
 * Resolves the tunnels' underlay next hops before traffic needs them. Without it the first
 * packets into a tunnel, and the first answers back, would go to {@code arp-glean} and be
 * dropped while ARP runs on each side: a lost SYN costs a TCP connection a second. The control
 * thread asks once a second for every unresolved tunnel peer (the neighbour table throttles
 * repeats), injecting the requests through a ring into worker 0, which sends them.
 */
final class UnderlaySolicitor implements AutoCloseable {
    static final int RING_SIZE = FrameRing.SIZE_MIN;
    static final String INPUT_NAME = "control-inject";

    private final NodeForwarding forwarding;
    private final ArpRequester arp;
    private final Supplier<NetInterface> uplink;
    private final BufferCache cache;
    private final FrameRing ring = new FrameRing(INPUT_NAME, RING_SIZE);
    private final int[] one = new int[1];
    private volatile IdleStrategy wake;
    private long sent;

    UnderlaySolicitor(NodeForwarding forwarding, ArpRequester arp, Supplier<NetInterface> uplink, PacketMemory memory) {
        this.forwarding = forwarding;
        this.arp = arp;
        this.uplink = uplink;
        this.cache = memory.newCache();
    }

    FrameRing ring() {
        return ring;
    }

    /** The idle strategy of the worker that polls the ring, woken after each request. */
    void wakes(IdleStrategy idle) {
        this.wake = idle;
    }

    /** Control thread: one request per unresolved underlay next hop that is due. */
    void solicit() {
        NetInterface itf = uplink.get();
        long now = System.nanoTime();
        for (NodeForwarding.TunnelInfo t : forwarding.tunnelInfo()) {
            if (forwarding.underlayResolved(t.index())) {
                continue;
            }
            int bi = arp.request(cache, itf, t.remote(), now);
            if (bi < 0) {
                continue;
            }
            one[0] = bi;
            if (ring.offer(one, 0, 1)) {
                sent++;
                IdleStrategy w = wake;
                if (w != null) {
                    w.wakeUp();
                }
            } else {
                cache.free(bi);
            }
        }
    }

    /** Requests injected so far (control thread's count). */
    long sent() {
        return sent;
    }

    /** After the workers stopped: frees whatever they did not take. */
    @Override
    public void close() {
        while (ring.poll((c, bis, off, n) -> {
            for (int i = 0; i < n; i++) {
                c.free(bis[off + i]);
            }
        }, cache, Integer.MAX_VALUE) > 0) {
            // drained one batch
        }
        cache.close();
    }
}
