package dev.cipherlane.supervisor.peers;

import dev.cipherlane.ipsec.ike.port.IkePort;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Takes each IKE datagram the dataplane received to the tunnel it belongs to, by its address
 * pair: every tunnel has its own (decapsulation tells tunnels apart the same way), so the pair
 * names the tunnel and its IKE session. A datagram for no tunnel is counted and dropped: IKE is
 * taken only from the peers configured (RFC 4301 section 5.2).
 */
public final class IkeDispatch {
    private final Map<Long, Consumer<IkePort.Datagram>> tunnels = new ConcurrentHashMap<>();
    private final AtomicLong unknown = new AtomicLong();

    private static long key(int local, int remote) {
        return (long) local << 32 | Integer.toUnsignedLong(remote);
    }

    public void register(int local, int remote, Consumer<IkePort.Datagram> tunnel) {
        tunnels.put(key(local, remote), tunnel);
    }

    public void unregister(int local, int remote) {
        tunnels.remove(key(local, remote));
    }

    /** Called on the IKE port's thread: hands the datagram on, never blocks. */
    public void deliver(IkePort.Datagram d) {
        Consumer<IkePort.Datagram> tunnel = tunnels.get(key(d.local(), d.remote()));
        if (tunnel == null) {
            unknown.incrementAndGet();
        } else {
            tunnel.accept(d);
        }
    }

    /** Datagrams from addresses no tunnel has. */
    public long unknown() {
        return unknown.get();
    }
}
