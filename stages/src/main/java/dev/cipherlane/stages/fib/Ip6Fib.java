package dev.cipherlane.stages.fib;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * IPv6 forwarding table: longest-prefix match from a destination address, held as two 64-bit
 * halves in network order ({@code hi} = bits 0..63), to a load balancer index.
 *
 * <p>Same shape and contract as {@link Ip4Fib}: the control half is an exact-match map from
 * prefix to load balancer; the worker half is a {@link Snapshot} compiled from it, here one hash
 * table per prefix length present (see {@link Ip6LengthTables}), probed longest length first,
 * with primitive arrays only and no allocation per lookup.
 *
 * <p>Threading contract: one control thread calls every method of this class; it is not
 * thread-safe. After a batch of changes it publishes {@link #snapshot()} (with the matching load
 * balancer and adjacency snapshots, see {@link ForwardingTables}) through a volatile field that
 * workers load once per frame. Snapshots are immutable with final fields only, so they are safe
 * to share and stay valid for as long as a worker holds one. {@code snapshot()} recompiles only
 * after a change.
 *
 * <p>Every route locks its load balancer in the {@link LoadBalanceTable}. Host bits of a
 * prefix are ignored.
 */
public final class Ip6Fib {

    private final LoadBalanceTable loadBalances;
    private final int defaultLb;
    private final Map<Ip6Prefix, Integer> routes = new HashMap<>();
    private Snapshot snapshot;

    /** A FIB whose addresses that match no route go to {@link LoadBalanceTable#DROP}. */
    public Ip6Fib(LoadBalanceTable loadBalances) {
        this(loadBalances, LoadBalanceTable.DROP);
    }

    /** A FIB whose addresses that match no route (not even a {@code ::/0}) go to {@code defaultLb}. */
    public Ip6Fib(LoadBalanceTable loadBalances, int defaultLb) {
        this.loadBalances = loadBalances;
        loadBalances.lock(defaultLb);
        this.defaultLb = defaultLb;
    }

    /** Adds {@code hi:lo/length → lb}, replacing the load balancer of an existing route. */
    public void add(long hi, long lo, int length, int lb) {
        Ip6Prefix prefix = normalized(hi, lo, length);
        loadBalances.lock(lb);
        Integer old = routes.put(prefix, lb);
        if (old != null) {
            loadBalances.unlock(old);
        }
        snapshot = null;
    }

    /** Removes {@code hi:lo/length}; addresses fall back to the next shorter route. */
    public boolean remove(long hi, long lo, int length) {
        Integer old = routes.remove(normalized(hi, lo, length));
        if (old == null) {
            return false;
        }
        loadBalances.unlock(old);
        snapshot = null;
        return true;
    }

    /** Load balancer of exactly {@code hi:lo/length}, or -1 if there is no such route. */
    public int get(long hi, long lo, int length) {
        Integer lb = routes.get(normalized(hi, lo, length));
        return lb == null ? -1 : lb;
    }

    /** Longest-prefix match; control-side convenience that compiles if needed. */
    public int lookup(long hi, long lo) {
        return snapshot().lookup(hi, lo);
    }

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
            Ip6Prefix[] prefixes = routes.keySet().toArray(new Ip6Prefix[0]);
            // Longest first; then by address only so that compiling is deterministic.
            Arrays.sort(prefixes, (a, b) -> {
                int byLength = Integer.compare(b.length(), a.length());
                if (byLength != 0) {
                    return byLength;
                }
                int byHi = Long.compareUnsigned(a.hi(), b.hi());
                return byHi != 0 ? byHi : Long.compareUnsigned(a.lo(), b.lo());
            });
            int[] lbs = new int[prefixes.length];
            for (int i = 0; i < prefixes.length; i++) {
                lbs[i] = routes.get(prefixes[i]);
            }
            snapshot = new Snapshot(Ip6LengthTables.compile(prefixes, lbs), defaultLb, prefixes, lbs);
        }
        return snapshot;
    }

    private static Ip6Prefix normalized(long hi, long lo, int length) {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length must be 0..128, got " + length);
        }
        return new Ip6Prefix(hi & Prefixes.mask6Hi(length), lo & Prefixes.mask6Lo(length), length);
    }

    /** What workers read. */
    public static final class Snapshot {
        private final Ip6LengthTables tables;
        private final int defaultLb;
        private final int routeCount;
        /** The routes compiled, longest first, for {@code show fib}. */
        private final Ip6Prefix[] prefixes;
        private final int[] lbs;

        private Snapshot(Ip6LengthTables tables, int defaultLb, Ip6Prefix[] prefixes, int[] lbs) {
            this.tables = tables;
            this.defaultLb = defaultLb;
            this.routeCount = prefixes.length;
            this.prefixes = prefixes;
            this.lbs = lbs;
        }

        /** Load balancer index of the longest prefix covering {@code hi:lo}. */
        public int lookup(long hi, long lo) {
            return tables.lookup(hi, lo, defaultLb);
        }

        public int routeCount() {
            return routeCount;
        }

        /** Route {@code i} (0..routeCount-1), longest prefixes first; for {@code show fib}. */
        public Ip6Prefix prefix(int i) {
            return prefixes[i];
        }

        /** Load balancer of route {@code i}. */
        public int loadBalance(int i) {
            return lbs[i];
        }

        /** Distinct prefix lengths present: the most probes a lookup makes. */
        public int lengthCount() {
            return tables.lengths.length;
        }
    }
}
