package dev.cipherlane.stages.fib;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * IPv4 forwarding table: longest-prefix match from a destination address to a load balancer
 * index.
 *
 * <p>Two halves. The control half is an exact-match map from (prefix, length) to load balancer:
 * adding, replacing and removing routes are map operations. The worker half is a
 * {@link Snapshot}: a 16-8-8 multibit trie compiled from the map (see {@link Ip4Mtrie}) that
 * answers a lookup in at most three array reads and never allocates.
 *
 * <p>Threading contract: one control thread (an actor) calls every method of this class; it is
 * not thread-safe. After a batch of changes the control thread calls {@link #snapshot()} and
 * publishes the result (with the matching load balancer and adjacency snapshots, see
 * {@link ForwardingTables}) through a volatile field. A worker loads that field once per frame
 * and uses the snapshot for the whole frame. A snapshot is immutable and all its fields are
 * final, so a worker that sees the reference sees the whole trie; an old snapshot stays valid
 * for as long as a worker holds it. {@code snapshot()} recompiles only when something changed
 * since the last call (10,000 prefixes compile in tens of milliseconds).
 *
 * <p>Every route locks its load balancer in the {@link LoadBalanceTable}, so a load balancer
 * cannot be freed while a route still points at it. Host bits of a prefix are ignored
 * ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}), as in VPP.
 */
public final class Ip4Fib {

    private final LoadBalanceTable loadBalances;
    private final int defaultLb;
    /** Key {@code length << 32 | prefix}: sorting keys sorts by length, which compiling needs. */
    private final Map<Long, Integer> routes = new HashMap<>();
    private Snapshot snapshot;

    /** A FIB whose addresses that match no route go to {@link LoadBalanceTable#DROP}. */
    public Ip4Fib(LoadBalanceTable loadBalances) {
        this(loadBalances, LoadBalanceTable.DROP);
    }

    /**
     * A FIB whose addresses that match no route (not even a {@code /0}) go to {@code defaultLb},
     * for example {@link LoadBalanceTable#PUNT} on a table that should ask the control plane.
     */
    public Ip4Fib(LoadBalanceTable loadBalances, int defaultLb) {
        this.loadBalances = loadBalances;
        loadBalances.lock(defaultLb);
        this.defaultLb = defaultLb;
    }

    /** Adds {@code prefix/length → lb}, replacing the load balancer of an existing route. */
    public void add(int prefix, int length, int lb) {
        checkLength(length);
        loadBalances.lock(lb);
        Integer old = routes.put(key(prefix, length), lb);
        if (old != null) {
            loadBalances.unlock(old);
        }
        snapshot = null;
    }

    /** Removes {@code prefix/length}; addresses fall back to the next shorter route. */
    public boolean remove(int prefix, int length) {
        checkLength(length);
        Integer old = routes.remove(key(prefix, length));
        if (old == null) {
            return false;
        }
        loadBalances.unlock(old);
        snapshot = null;
        return true;
    }

    /** Load balancer of exactly {@code prefix/length}, or -1 if there is no such route. */
    public int get(int prefix, int length) {
        checkLength(length);
        Integer lb = routes.get(key(prefix, length));
        return lb == null ? -1 : lb;
    }

    /** Longest-prefix match; control-side convenience that compiles if needed. */
    public int lookup(int address) {
        return snapshot().lookup(address);
    }

    /** Number of routes. */
    public int size() {
        return routes.size();
    }

    public int defaultLb() {
        return defaultLb;
    }

    /** The load balancer table whose indices this FIB's routes are. */
    public LoadBalanceTable loadBalances() {
        return loadBalances;
    }

    /** The compiled, immutable lookup structure for workers; cached until the next change. */
    public Snapshot snapshot() {
        if (snapshot == null) {
            long[] keys = new long[routes.size()];
            int[] lbs = new int[keys.length];
            int i = 0;
            for (Long key : routes.keySet()) {
                keys[i++] = key;
            }
            Arrays.sort(keys);
            for (i = 0; i < keys.length; i++) {
                lbs[i] = routes.get(keys[i]);
            }
            Ip4Mtrie trie = Ip4Mtrie.compile(keys, lbs, defaultLb);
            snapshot = new Snapshot(trie.root(), trie.plies(), keys, lbs);
        }
        return snapshot;
    }

    private static long key(int prefix, int length) {
        return ((long) length << 32) | (prefix & Prefixes.mask4(length) & 0xFFFF_FFFFL);
    }

    private static void checkLength(int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0..32, got " + length);
        }
    }

    /** What workers read; see {@link Ip4Mtrie} for the slot encoding. */
    public static final class Snapshot {
        private final int[] root;
        private final int[] plies;
        private final int routeCount;
        /** The routes compiled, for {@code show fib}: keys as in the map, sorted by length. */
        private final long[] keys;
        private final int[] lbs;

        private Snapshot(int[] root, int[] plies, long[] keys, int[] lbs) {
            this.root = root;
            this.plies = plies;
            this.routeCount = keys.length;
            this.keys = keys;
            this.lbs = lbs;
        }

        /** Load balancer index of the longest prefix covering {@code address} (big-endian int). */
        public int lookup(int address) {
            int slot = root[address >>> 16];
            if (slot >= 0) {
                return slot;
            }
            slot = plies[(slot & Ip4Mtrie.PLY_BASE) + ((address >>> 8) & 0xFF)];
            if (slot >= 0) {
                return slot;
            }
            return plies[(slot & Ip4Mtrie.PLY_BASE) + (address & 0xFF)];
        }

        public int routeCount() {
            return routeCount;
        }

        /** Prefix of route {@code i} (0..routeCount-1), shortest prefixes first; for {@code show fib}. */
        public int prefix(int i) {
            return (int) keys[i];
        }

        public int length(int i) {
            return (int) (keys[i] >>> 32);
        }

        /** Load balancer of route {@code i}. */
        public int loadBalance(int i) {
            return lbs[i];
        }

        /** 256-slot plies below the root, for {@code show fib} memory figures. */
        public int plyCount() {
            return plies.length / Ip4Mtrie.PLY_SLOTS;
        }
    }
}
