package dev.cipherlane.stages.net;

import java.util.Arrays;

/**
 * The interfaces, indexed by interface index. The control plane replaces an interface by
 * publishing a new array (copy on write); workers read one volatile reference per lookup,
 * so a change is seen whole or not at all.
 */
public final class InterfaceTable {
    private volatile NetInterface[] byIndex = new NetInterface[0];

    /** Adds or replaces the interface at {@code itf.index()}. Control thread only. */
    public synchronized void put(NetInterface itf) {
        NetInterface[] cur = byIndex;
        NetInterface[] next = Arrays.copyOf(cur, Math.max(cur.length, itf.index() + 1));
        next[itf.index()] = itf;
        byIndex = next;
    }

    public synchronized void remove(int index) {
        NetInterface[] cur = byIndex;
        if (index < cur.length) {
            NetInterface[] next = cur.clone();
            next[index] = null;
            byIndex = next;
        }
    }

    /** The interface at {@code index}, or null when there is none. */
    public NetInterface get(int index) {
        NetInterface[] cur = byIndex;
        return index >= 0 && index < cur.length ? cur[index] : null;
    }

    /** The interface owning IPv4 {@code address}, or null. */
    public NetInterface owner4(int address) {
        for (NetInterface i : byIndex) {
            if (i != null && i.owns4(address)) {
                return i;
            }
        }
        return null;
    }

    public NetInterface owner6(long hi, long lo) {
        for (NetInterface i : byIndex) {
            if (i != null && i.owns6(hi, lo)) {
                return i;
            }
        }
        return null;
    }
}
