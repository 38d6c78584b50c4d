package dev.cipherlane.stages.neighbour;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ethernet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.StampedLock;

/**
 * Neighbours: (interface, IPv4 or IPv6 address) to MAC, learned by ARP or configured.
 *
 * <p><b>Keys.</b> A neighbour is per interface, as in VPP: pod taps all see the same
 * link-local gateway, and link-local IPv6 addresses repeat across links. IPv4 addresses
 * are stored as {@code hi = 0, lo = address}; a family bit keeps them apart from IPv6.
 *
 * <p><b>States</b> (the subset of RFC 4861 section 7.3.2 that ARP needs):
 * {@code INCOMPLETE} a request went out, no answer yet; {@code REACHABLE} confirmed less
 * than {@code reachableTime} ago; {@code STALE} MAC still used but unconfirmed, removed
 * when not confirmed again within {@code staleTime}; {@code PERMANENT} configured, never
 * aged, evicted or overwritten by ARP. Every method takes the time as a parameter
 * ({@code System.nanoTime()} based), so tests drive the clock.
 *
 * <p><b>Storage.</b> Fixed-capacity open addressing in primitive arrays (linear probing,
 * backward-shift deletion, at most half full), so a lookup allocates nothing. When
 * {@code maxEntries} is reached a new entry evicts the oldest INCOMPLETE entry, else the
 * oldest stale one, else the least recently confirmed reachable one; an unanswered request
 * never evicts a confirmed neighbour, so a scan of absent hosts cannot push out the
 * neighbours traffic is flowing to. Choosing the victim scans the table: it happens only
 * when the table is full.
 *
 * <p><b>Threads.</b> Workers read (ARP glean) and write (ARP learning) the table. Reads use
 * a {@link StampedLock} optimistic read and fall back to the read lock; writes take the
 * write lock for a few array stores. {@link Listener}s run after the lock is released, on
 * the thread that made the change.
 */
public final class NeighbourTable {
    /** What {@link #lookup4} returns for an unknown or unresolved neighbour. */
    public static final long NONE = -1L;

    /** {@link #claimRequest4} results. */
    public static final int REQUEST_DUE = 0;
    public static final int REQUEST_RECENT = 1;
    public static final int REQUEST_TABLE_FULL = 2;
    public static final int REQUEST_RESOLVED = 3;

    public enum State { INCOMPLETE, REACHABLE, STALE, PERMANENT }

    private static final byte INCOMPLETE = 0;
    private static final byte REACHABLE = 1;
    private static final byte STALE = 2;
    private static final byte PERMANENT = 3;
    private static final State[] STATES = State.values();

    private static final int EMPTY = -1;
    private static final int MAX_INTERFACE = (1 << 30) - 1;
    private static final long NEVER = Long.MIN_VALUE;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    /**
     * Aging and size.
     *
     * @param reachableTimeNanos how long a confirmation keeps an entry REACHABLE
     * @param staleTimeNanos how long a STALE entry lives on without a new confirmation
     * @param incompleteTimeNanos how long an unanswered INCOMPLETE entry lives
     * @param maxEntries entries held at most (permanent ones included)
     */
    public record Params(long reachableTimeNanos, long staleTimeNanos, long incompleteTimeNanos, int maxEntries) {
        /** RFC 4861 section 10, REACHABLE_TIME. */
        public static final long REACHABLE_TIME_DEFAULT = 30_000_000_000L;
        /** Linux's gc_stale_time. */
        public static final long STALE_TIME_DEFAULT = 60_000_000_000L;
        /** RFC 4861 section 10: MAX_MULTICAST_SOLICIT (3) x RETRANS_TIMER (1 s). */
        public static final long INCOMPLETE_TIME_DEFAULT = 3_000_000_000L;
        public static final int MAX_ENTRIES_DEFAULT = 4096;
        public static final int MAX_ENTRIES_LIMIT = 1 << 22;

        public Params {
            if (reachableTimeNanos <= 0 || staleTimeNanos <= 0 || incompleteTimeNanos <= 0) {
                throw new IllegalArgumentException("neighbour times must be > 0, got reachable "
                        + reachableTimeNanos + " ns, stale " + staleTimeNanos + " ns, incomplete "
                        + incompleteTimeNanos + " ns");
            }
            if (maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
                throw new IllegalArgumentException("neighbour max-entries must be in 1.." + MAX_ENTRIES_LIMIT
                        + ", got " + maxEntries);
            }
        }

        public static Params defaults() {
            return new Params(REACHABLE_TIME_DEFAULT, STALE_TIME_DEFAULT, INCOMPLETE_TIME_DEFAULT, MAX_ENTRIES_DEFAULT);
        }
    }

    /**
     * Told when forwarding must change: a neighbour's MAC became known or changed, or a
     * neighbour with a MAC went away. Runs on whichever thread changed the table (a worker
     * for ARP learning), outside the table's lock: keep it short and non-blocking. IPv4
     * addresses come as {@code hi = 0, lo = address & 0xFFFFFFFF}.
     */
    public interface Listener {
        void resolved(int interfaceIndex, boolean ip6, long hi, long lo, long mac);

        void lost(int interfaceIndex, boolean ip6, long hi, long lo);
    }

    private final Params params;
    private final int mask;
    private final int[] tags;
    private final long[] his;
    private final long[] los;
    private final long[] macs;
    private final long[] confirmed;
    private final long[] requested;
    private final byte[] states;
    private final StampedLock lock = new StampedLock();
    private int size;
    private long evictions;
    private volatile Listener[] listeners = new Listener[0];

    public NeighbourTable(Params params) {
        if (params == null) {
            throw new IllegalArgumentException("neighbour table parameters must not be null");
        }
        this.params = params;
        // At most half full keeps probe sequences short and always leaves an empty slot.
        int capacity = Integer.highestOneBit(Math.max(2, 2 * params.maxEntries() - 1)) << 1;
        this.mask = capacity - 1;
        this.tags = new int[capacity];
        Arrays.fill(tags, EMPTY);
        this.his = new long[capacity];
        this.los = new long[capacity];
        this.macs = new long[capacity];
        this.confirmed = new long[capacity];
        this.requested = new long[capacity];
        this.states = new byte[capacity];
    }

    public Params params() {
        return params;
    }

    public synchronized void addListener(Listener l) {
        Listener[] cur = listeners;
        Listener[] next = Arrays.copyOf(cur, cur.length + 1);
        next[cur.length] = l;
        listeners = next;
    }

    // ---- IPv4 / IPv6 front ends --------------------------------------------------------

    /** The neighbour's MAC, or {@link #NONE} when unknown or still INCOMPLETE. */
    public long lookup4(int interfaceIndex, int address) {
        return usableMac(tag(interfaceIndex, false), 0, ip4(address));
    }

    public long lookup6(int interfaceIndex, long hi, long lo) {
        return usableMac(tag(interfaceIndex, true), hi, lo);
    }

    /** The entry's state, or null when there is none. */
    public State state4(int interfaceIndex, int address) {
        return state(tag(interfaceIndex, false), 0, ip4(address));
    }

    public State state6(int interfaceIndex, long hi, long lo) {
        return state(tag(interfaceIndex, true), hi, lo);
    }

    /**
     * The sender of an ARP packet addressed to us: creates or confirms its entry (RFC 826,
     * "Am I the target protocol address? ... add the triplet"). Returns false when the entry
     * is PERMANENT (configuration wins over ARP) or the table is full of permanent entries.
     */
    public boolean learn4(int interfaceIndex, int address, long mac, long now) {
        return write(tag(interfaceIndex, false), 0, ip4(address), mac, now, REACHABLE, true);
    }

    public boolean learn6(int interfaceIndex, long hi, long lo, long mac, long now) {
        return write(tag(interfaceIndex, true), hi, lo, mac, now, REACHABLE, true);
    }

    /**
     * RFC 826 merge: confirms the sender only if it already has a dynamic entry (INCOMPLETE
     * ones included), creating nothing. Returns whether an entry was updated.
     */
    public boolean refresh4(int interfaceIndex, int address, long mac, long now) {
        return write(tag(interfaceIndex, false), 0, ip4(address), mac, now, REACHABLE, false);
    }

    public boolean refresh6(int interfaceIndex, long hi, long lo, long mac, long now) {
        return write(tag(interfaceIndex, true), hi, lo, mac, now, REACHABLE, false);
    }

    /** A configured neighbour. Throws when every entry is already permanent. */
    public void addStatic4(int interfaceIndex, int address, long mac, long now) {
        if (!write(tag(interfaceIndex, false), 0, ip4(address), mac, now, PERMANENT, true)) {
            throw new IllegalStateException("neighbour table full of static entries (" + params.maxEntries() + ")");
        }
    }

    public void addStatic6(int interfaceIndex, long hi, long lo, long mac, long now) {
        if (!write(tag(interfaceIndex, true), hi, lo, mac, now, PERMANENT, true)) {
            throw new IllegalStateException("neighbour table full of static entries (" + params.maxEntries() + ")");
        }
    }

    /** Removes the entry, whatever its state; returns whether there was one. */
    public boolean remove4(int interfaceIndex, int address) {
        return remove(tag(interfaceIndex, false), 0, ip4(address));
    }

    public boolean remove6(int interfaceIndex, long hi, long lo) {
        return remove(tag(interfaceIndex, true), hi, lo);
    }

    /**
     * Whether the caller should send an ARP request for this neighbour now: at most one per
     * {@code intervalNanos} per neighbour, however many workers ask. {@link #REQUEST_DUE}
     * records the request (creating an INCOMPLETE entry when there is none);
     * {@link #REQUEST_RECENT} one went out less than the interval ago;
     * {@link #REQUEST_RESOLVED} the MAC is known (REACHABLE or PERMANENT) meanwhile;
     * {@link #REQUEST_TABLE_FULL} no room to track the resolution without evicting a
     * confirmed neighbour.
     */
    public int claimRequest4(int interfaceIndex, int address, long now, long intervalNanos) {
        return claim(tag(interfaceIndex, false), 0, ip4(address), now, intervalNanos);
    }

    public int claimRequest6(int interfaceIndex, long hi, long lo, long now, long intervalNanos) {
        return claim(tag(interfaceIndex, true), hi, lo, now, intervalNanos);
    }

    // ---- aging, size, show -------------------------------------------------------------

    /**
     * Ages the table: REACHABLE entries unconfirmed for {@code reachableTime} become STALE;
     * STALE ones unconfirmed for another {@code staleTime}, and INCOMPLETE ones older than
     * {@code incompleteTime}, are removed. Control thread, from a periodic timer. Returns
     * how many entries were removed.
     */
    public int expire(long now) {
        int n = 0;
        int[] doomedTags;
        long[] doomedHis;
        long[] doomedLos;
        boolean[] hadMac;
        long stamp = lock.writeLock();
        try {
            doomedTags = new int[size];
            doomedHis = new long[size];
            doomedLos = new long[size];
            hadMac = new boolean[size];
            long reachable = params.reachableTimeNanos();
            long gone = reachable + params.staleTimeNanos();
            for (int i = 0; i <= mask; i++) {
                if (tags[i] == EMPTY) {
                    continue;
                }
                long age = now - confirmed[i];
                byte state = states[i];
                if (state == REACHABLE && age >= reachable) {
                    states[i] = state = STALE;
                }
                boolean doomed = (state == STALE && age >= gone)
                        || (state == INCOMPLETE && age >= params.incompleteTimeNanos());
                if (doomed) {
                    doomedTags[n] = tags[i];
                    doomedHis[n] = his[i];
                    doomedLos[n] = los[i];
                    hadMac[n] = state != INCOMPLETE;
                    n++;
                }
            }
            // Deleting shifts later entries back, so remove by key, not by remembered slot.
            for (int k = 0; k < n; k++) {
                removeAt(find(doomedTags[k], doomedHis[k], doomedLos[k]));
            }
        } finally {
            lock.unlockWrite(stamp);
        }
        for (int k = 0; k < n; k++) {
            if (hadMac[k]) {
                fireLost(doomedTags[k], doomedHis[k], doomedLos[k]);
            }
        }
        return n;
    }

    public int size() {
        long stamp = lock.readLock();
        try {
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Entries pushed out by new ones since the table was made. */
    public long evictions() {
        long stamp = lock.readLock();
        try {
            return evictions;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * {@code show ip neighbours}: one line per entry, by interface then address. Age is the
     * time since the last confirmation (or, for INCOMPLETE, since the first request).
     */
    public String format(long now, InterfaceTable interfaces) {
        record Row(int itf, boolean ip6, long hi, long lo, long mac, byte state, long age) {}
        List<Row> rows = new ArrayList<>();
        long stamp = lock.readLock();
        try {
            for (int i = 0; i <= mask; i++) {
                if (tags[i] != EMPTY) {
                    rows.add(new Row(tags[i] >>> 1, (tags[i] & 1) != 0, his[i], los[i], macs[i], states[i],
                            now - confirmed[i]));
                }
            }
        } finally {
            lock.unlockRead(stamp);
        }
        rows.sort(Comparator.comparingInt(Row::itf).thenComparing(Row::ip6)
                .thenComparing(Row::hi, Long::compareUnsigned).thenComparing(Row::lo, Long::compareUnsigned));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-40s %-17s %-16s %-10s %s%n", "Address", "MAC", "Interface", "State", "Age"));
        for (Row r : rows) {
            NetInterface itf = interfaces == null ? null : interfaces.get(r.itf());
            String address = r.ip6() ? Prefixes.format6(r.hi(), r.lo()) : Prefixes.format4((int) r.lo());
            String mac = r.state() == INCOMPLETE ? "-" : new MacAddress(r.mac()).toString();
            String age = r.state() == PERMANENT ? "-" : String.format(Locale.ROOT, "%.1fs", r.age() / 1e9);
            sb.append(String.format(Locale.ROOT, "%-40s %-17s %-16s %-10s %s%n", address, mac,
                    itf == null ? "if" + r.itf() : itf.name(), STATES[r.state()], age));
        }
        return sb.toString();
    }

    // ---- internals ---------------------------------------------------------------------

    private static int tag(int interfaceIndex, boolean ip6) {
        if (interfaceIndex < 0 || interfaceIndex > MAX_INTERFACE) {
            throw new IllegalArgumentException("interface index out of range: " + interfaceIndex);
        }
        return interfaceIndex << 1 | (ip6 ? 1 : 0);
    }

    private static long ip4(int address) {
        return Integer.toUnsignedLong(address);
    }

    private static int hash(int tag, long hi, long lo) {
        long h = hi * 0x9E37_79B9_7F4A_7C15L ^ Long.rotateLeft(lo * 0xC2B2_AE3D_27D4_EB4FL, 29) ^ tag;
        // MurmurHash3 fmix64 finaliser: every key bit reaches the low bits used as the slot.
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return (int) h;
    }

    /** Slot of the key or -1. Bounded so that a torn optimistic read cannot spin. */
    private int find(int tag, long hi, long lo) {
        int i = hash(tag, hi, lo) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            int t = tags[i];
            if (t == EMPTY) {
                return -1;
            }
            if (t == tag && his[i] == hi && los[i] == lo) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private long usableMacUnlocked(int tag, long hi, long lo) {
        int slot = find(tag, hi, lo);
        return slot < 0 || states[slot] == INCOMPLETE ? NONE : macs[slot];
    }

    private long usableMac(int tag, long hi, long lo) {
        long stamp = lock.tryOptimisticRead();
        long mac = usableMacUnlocked(tag, hi, lo);
        if (lock.validate(stamp)) {
            return mac;
        }
        stamp = lock.readLock();
        try {
            return usableMacUnlocked(tag, hi, lo);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private State state(int tag, long hi, long lo) {
        long stamp = lock.readLock();
        try {
            int slot = find(tag, hi, lo);
            return slot < 0 ? null : STATES[states[slot]];
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Creates ({@code create}) or updates an entry to {@code state} with {@code mac}. */
    private boolean write(int tag, long hi, long lo, long mac, long now, byte state, boolean create) {
        mac &= MAC_MASK;
        boolean stored;
        boolean resolved = false;
        int lostTag = EMPTY;
        long lostHi = 0;
        long lostLo = 0;
        long stamp = lock.writeLock();
        try {
            int slot = find(tag, hi, lo);
            if (slot >= 0) {
                byte old = states[slot];
                if (old == PERMANENT && state != PERMANENT) {
                    stored = false;
                } else {
                    resolved = old == INCOMPLETE || macs[slot] != mac;
                    fill(slot, mac, now, state);
                    stored = true;
                }
            } else if (!create) {
                stored = false;
            } else {
                if (size >= params.maxEntries()) {
                    int victim = victim(now, true);
                    if (victim < 0) {
                        return false;
                    }
                    if (states[victim] != INCOMPLETE) {
                        lostTag = tags[victim];
                        lostHi = his[victim];
                        lostLo = los[victim];
                    }
                    removeAt(victim);
                    evictions++;
                }
                slot = insert(tag, hi, lo);
                fill(slot, mac, now, state);
                resolved = true;
                stored = true;
            }
        } finally {
            lock.unlockWrite(stamp);
        }
        if (lostTag != EMPTY) {
            fireLost(lostTag, lostHi, lostLo);
        }
        if (resolved) {
            fireResolved(tag, hi, lo, mac);
        }
        return stored;
    }

    private int claim(int tag, long hi, long lo, long now, long interval) {
        // Fast path, no write: packets queued behind a request that just went out.
        long stamp = lock.tryOptimisticRead();
        int slot = find(tag, hi, lo);
        byte state = slot < 0 ? INCOMPLETE : states[slot];
        long last = slot < 0 ? NEVER : requested[slot];
        if (lock.validate(stamp) && slot >= 0) {
            if (state == REACHABLE || state == PERMANENT) {
                return REQUEST_RESOLVED;
            }
            if (last != NEVER && now - last < interval) {
                return REQUEST_RECENT;
            }
        }
        int result;
        int lostTag = EMPTY;
        long lostHi = 0;
        long lostLo = 0;
        stamp = lock.writeLock();
        try {
            slot = find(tag, hi, lo);
            if (slot >= 0) {
                state = states[slot];
                last = requested[slot];
                if (state == REACHABLE || state == PERMANENT) {
                    result = REQUEST_RESOLVED;
                } else if (last != NEVER && now - last < interval) {
                    result = REQUEST_RECENT;
                } else {
                    requested[slot] = now;
                    result = REQUEST_DUE;
                }
            } else {
                int victim = size < params.maxEntries() ? -2 : victim(now, false);
                if (victim == -1) {
                    result = REQUEST_TABLE_FULL;
                } else {
                    if (victim >= 0) {
                        if (states[victim] != INCOMPLETE) {
                            lostTag = tags[victim];
                            lostHi = his[victim];
                            lostLo = los[victim];
                        }
                        removeAt(victim);
                        evictions++;
                    }
                    slot = insert(tag, hi, lo);
                    fill(slot, 0, now, INCOMPLETE);
                    requested[slot] = now;
                    result = REQUEST_DUE;
                }
            }
        } finally {
            lock.unlockWrite(stamp);
        }
        if (lostTag != EMPTY) {
            fireLost(lostTag, lostHi, lostLo);
        }
        return result;
    }

    private boolean remove(int tag, long hi, long lo) {
        boolean hadMac;
        long stamp = lock.writeLock();
        try {
            int slot = find(tag, hi, lo);
            if (slot < 0) {
                return false;
            }
            hadMac = states[slot] != INCOMPLETE;
            removeAt(slot);
        } finally {
            lock.unlockWrite(stamp);
        }
        if (hadMac) {
            fireLost(tag, hi, lo);
        }
        return true;
    }

    private void fill(int slot, long mac, long now, byte state) {
        macs[slot] = mac;
        states[slot] = state;
        confirmed[slot] = now;
        requested[slot] = NEVER;
    }

    /**
     * The entry to evict, or -1: INCOMPLETE first, then stale (by state or by age), then
     * (if {@code mayEvictReachable}) reachable; oldest confirmation first within a rank.
     * PERMANENT entries are never evicted.
     */
    private int victim(long now, boolean mayEvictReachable) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        long bestTime = 0;
        for (int i = 0; i <= mask; i++) {
            if (tags[i] == EMPTY) {
                continue;
            }
            int rank;
            switch (states[i]) {
                case INCOMPLETE -> rank = 0;
                case STALE -> rank = 1;
                case REACHABLE -> rank = now - confirmed[i] >= params.reachableTimeNanos() ? 1 : 2;
                default -> rank = -1;
            }
            if (rank < 0 || (rank == 2 && !mayEvictReachable)) {
                continue;
            }
            if (rank < bestRank || (rank == bestRank && confirmed[i] - bestTime < 0)) {
                best = i;
                bestRank = rank;
                bestTime = confirmed[i];
            }
        }
        return best;
    }

    private int insert(int tag, long hi, long lo) {
        int i = hash(tag, hi, lo) & mask;
        while (tags[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        tags[i] = tag;
        his[i] = hi;
        los[i] = lo;
        size++;
        return i;
    }

    /** Backward-shift deletion (Knuth 6.4, algorithm R): no tombstones, probes stay short. */
    private void removeAt(int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (tags[j] == EMPTY) {
                break;
            }
            int home = hash(tags[j], his[j], los[j]) & mask;
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                tags[hole] = tags[j];
                his[hole] = his[j];
                los[hole] = los[j];
                macs[hole] = macs[j];
                states[hole] = states[j];
                confirmed[hole] = confirmed[j];
                requested[hole] = requested[j];
                hole = j;
            }
        }
        tags[hole] = EMPTY;
        size--;
    }

    private void fireResolved(int tag, long hi, long lo, long mac) {
        for (Listener l : listeners) {
            l.resolved(tag >>> 1, (tag & 1) != 0, hi, lo, mac);
        }
    }

    private void fireLost(int tag, long hi, long lo) {
        for (Listener l : listeners) {
            l.lost(tag >>> 1, (tag & 1) != 0, hi, lo);
        }
    }
}
