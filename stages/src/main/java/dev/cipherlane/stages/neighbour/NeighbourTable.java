package dev.cipherlane.stages.neighbour;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.StampedLock;

/**
 * Neighbours: (interface, IPv4 or IPv6 address) to MAC, learned by ARP/ND or configured.
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
 * <p><b>Pinned and dynamic entries.</b> A flood of spoofed ARP/ND senders must not push out
 * what the node itself needs (issue 10 item 5). So entries come in two kinds. <i>Pinned</i>
 * ones are the node's: PERMANENT entries ({@link #addStatic4}, the pods) and the next hops
 * the forwarding tables use ({@link #pin4}, the tunnels' underlay neighbours). They live in
 * a reserve of their own of {@code maxEntries} entries, are never evicted, and ageing only
 * takes a pinned next hop back to INCOMPLETE (so it is asked for again), never out of the
 * table. <i>Dynamic</i> ones are learned from the wire or created by a request for a
 * destination nobody pinned ({@link #claimRequest4}, {@code arp-glean}); an interface holds
 * at most {@code perInterface()} of them and the table at most {@code maxEntries}. Which
 * senders may be learned on which interface is the {@link LearningPolicy}'s business; the
 * table only stores.
 *
 * <p><b>Eviction, O(1).</b> Each interface keeps its dynamic entries on two LRU lists,
 * <i>asked</i> (INCOMPLETE, oldest request at the tail) and <i>known</i> (with a MAC, least
 * recently confirmed at the tail), and the table keeps all dynamic entries on one more LRU
 * list. A confirmation moves an entry to the heads; eviction takes a tail, so no insert
 * scans the table. A learned sender that finds its interface full evicts that interface's
 * oldest unanswered request, else its least recently confirmed neighbour; a request does
 * the same but takes unanswered requests first only once they fill half the interface, so
 * neither a flood of senders nor a scan of absent hosts can stop a request from being
 * tracked (a request never answers "table full" any more) nor take the other half. When the
 * whole table is full but the interface is not, the least recently used dynamic entry of
 * any interface goes.
 *
 * <p><b>Storage.</b> Entries sit in primitive arrays indexed by an entry id that never
 * moves (the lists link ids); a separate open-addressing index (linear probing,
 * backward-shift deletion, at most half full) maps keys to ids, so a lookup allocates
 * nothing and its probe sequences stay short. {@link #probes()} counts the index slots and
 * list steps the write path inspected: the figure that shows an insert costs the same at any
 * size. Ageing ({@link #expire}) walks every entry, once a second on the control thread.
 *
 * <p><b>Threads.</b> Workers read (forwarding, glean) and write (ARP/ND learning, request
 * claims); the control thread writes (static entries, pins, ageing, removal). Reads use a
 * {@link StampedLock} optimistic read and fall back to the read lock; writes take the write
 * lock for a few array stores and list relinks. The per-interface lists grow only when an
 * interface is seen for the first time. {@link Listener}s run after the lock is released, on
 * the thread that made the change.
 */
public final class NeighbourTable {
    /** What {@link #lookup4} returns for an unknown or unresolved neighbour. */
    public static final long NONE = -1L;

    /** {@link #claimRequest4} results. */
    public static final int REQUEST_DUE = 0;
    public static final int REQUEST_RECENT = 1;
    public static final int REQUEST_RESOLVED = 3;

    public enum State { INCOMPLETE, REACHABLE, STALE, PERMANENT }

    private static final byte INCOMPLETE = 0;
    private static final byte REACHABLE = 1;
    private static final byte STALE = 2;
    private static final byte PERMANENT = 3;
    private static final State[] STATES = State.values();

    private static final int EMPTY = -1;
    private static final int NIL = -1;
    private static final int MAX_INTERFACE = (1 << 30) - 1;
    private static final long NEVER = Long.MIN_VALUE;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    /**
     * Aging and size.
     *
     * @param reachableTimeNanos how long a confirmation keeps an entry REACHABLE
     * @param staleTimeNanos how long a STALE entry lives on without a new confirmation
     * @param incompleteTimeNanos how long an unanswered INCOMPLETE entry lives
     * @param maxEntries dynamic (learned or requested) entries held at most, all interfaces
     *     together; pinned entries have a reserve of as many again
     * @param maxPerInterface dynamic entries one interface holds at most (capped at
     *     {@code maxEntries}, see {@link #perInterface()})
     */
    public record Params(long reachableTimeNanos, long staleTimeNanos, long incompleteTimeNanos, int maxEntries,
                         int maxPerInterface) {
        /** RFC 4861 section 10, REACHABLE_TIME. */
        public static final long REACHABLE_TIME_DEFAULT = 30_000_000_000L;
        /** Linux's gc_stale_time. */
        public static final long STALE_TIME_DEFAULT = 60_000_000_000L;
        /** RFC 4861 section 10: MAX_MULTICAST_SOLICIT (3) x RETRANS_TIMER (1 s). */
        public static final long INCOMPLETE_TIME_DEFAULT = 3_000_000_000L;
        public static final int MAX_ENTRIES_DEFAULT = 4096;
        public static final int MAX_PER_INTERFACE_DEFAULT = 1024;
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
            if (maxPerInterface < 1 || maxPerInterface > MAX_ENTRIES_LIMIT) {
                throw new IllegalArgumentException("neighbour max-per-interface must be in 1.." + MAX_ENTRIES_LIMIT
                        + ", got " + maxPerInterface);
            }
        }

        /** One interface may use the whole table. */
        public Params(long reachableTimeNanos, long staleTimeNanos, long incompleteTimeNanos, int maxEntries) {
            this(reachableTimeNanos, staleTimeNanos, incompleteTimeNanos, maxEntries, maxEntries);
        }

        /** Dynamic entries one interface holds at most. */
        public int perInterface() {
            return Math.min(maxPerInterface, maxEntries);
        }

        public static Params defaults() {
            return new Params(REACHABLE_TIME_DEFAULT, STALE_TIME_DEFAULT, INCOMPLETE_TIME_DEFAULT, MAX_ENTRIES_DEFAULT,
                    MAX_PER_INTERFACE_DEFAULT);
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

    /** Volatile: a reload changes the reachable time while the workers run. */
    private volatile Params params;
    private final int perInterface;
    private final int askedShare;

    // Entries, by id. An id is free when its tag is EMPTY; free ids are chained through next.
    private final int[] tags;
    private final long[] his;
    private final long[] los;
    private final int[] hashes;
    private final long[] macs;
    private final long[] confirmed;
    private final long[] requested;
    private final byte[] states;
    private final boolean[] pinned;
    private final int[] prev;
    private final int[] next;
    private final int[] olderAll;
    private final int[] newerAll;
    private int free;

    // The key index: entry ids by hash, linear probing.
    private final int mask;
    private final int[] index;

    // Per interface, by interface index: the two lists of dynamic entries and their lengths.
    private int[] askedHead = new int[0];
    private int[] askedTail = new int[0];
    private int[] knownHead = new int[0];
    private int[] knownTail = new int[0];
    private int[] dynamicOn = new int[0];
    private int[] askedOn = new int[0];

    private int allHead = NIL;
    private int allTail = NIL;
    private int dynamic;
    private int pinnedCount;
    private long evictions;
    /** The entry {@link #makeRoom} last evicted with a MAC (EMPTY if none); write lock only. */
    private int evictedTag = EMPTY;
    private long evictedHi;
    private long evictedLo;
    private long probes;
    private final StampedLock lock = new StampedLock();
    private volatile Listener[] listeners = new Listener[0];
    private volatile LearningPolicy learning = LearningPolicy.ANY;

    public NeighbourTable(Params params) {
        if (params == null) {
            throw new IllegalArgumentException("neighbour table parameters must not be null");
        }
        this.params = params;
        this.perInterface = params.perInterface();
        this.askedShare = Math.max(1, perInterface / 2);
        int entries = 2 * params.maxEntries();
        this.tags = new int[entries];
        this.his = new long[entries];
        this.los = new long[entries];
        this.hashes = new int[entries];
        this.macs = new long[entries];
        this.confirmed = new long[entries];
        this.requested = new long[entries];
        this.states = new byte[entries];
        this.pinned = new boolean[entries];
        this.prev = new int[entries];
        this.next = new int[entries];
        this.olderAll = new int[entries];
        this.newerAll = new int[entries];
        Arrays.fill(tags, EMPTY);
        for (int id = 0; id < entries; id++) {
            next[id] = id + 1 < entries ? id + 1 : NIL;
        }
        this.free = 0;
        // At most half full keeps probe sequences short and always leaves an empty slot.
        int capacity = Integer.highestOneBit(Math.max(2, 2 * entries - 1)) << 1;
        this.mask = capacity - 1;
        this.index = new int[capacity];
        Arrays.fill(index, EMPTY);
    }

    public Params params() {
        return params;
    }

    /**
     * Changes how long a resolved entry is trusted (neighbour.reachable-time, on a reload);
     * the next ageing uses it. The table's sizes stay as built.
     */
    public void reachableTime(long nanos) {
        Params p = params;
        params = new Params(nanos, p.staleTimeNanos(), p.incompleteTimeNanos(), p.maxEntries(), p.maxPerInterface());
    }

    /** Which senders {@code arp-input} and {@code ip6-nd-input} may learn; workers read it once a frame. */
    public LearningPolicy learning() {
        return learning;
    }

    /** Control side: replaces the learning policy ({@link LearningPolicy#ANY} until then). */
    public void learning(LearningPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("learning policy must not be null");
        }
        this.learning = policy;
    }

    public synchronized void addListener(Listener l) {
        Listener[] cur = listeners;
        Listener[] nextListeners = Arrays.copyOf(cur, cur.length + 1);
        nextListeners[cur.length] = l;
        listeners = nextListeners;
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

    /** Whether the entry is pinned (static or a needed next hop); false when there is none. */
    public boolean pinned4(int interfaceIndex, int address) {
        return isPinned(tag(interfaceIndex, false), 0, ip4(address));
    }

    public boolean pinned6(int interfaceIndex, long hi, long lo) {
        return isPinned(tag(interfaceIndex, true), hi, lo);
    }

    /**
     * The sender of an ARP packet addressed to us: creates or confirms its entry (RFC 826,
     * "Am I the target protocol address? ... add the triplet"), evicting a dynamic entry when
     * the interface or the table is full. Returns false when the entry is PERMANENT
     * (configuration wins over ARP). The caller has checked the {@link LearningPolicy}.
     */
    public boolean learn4(int interfaceIndex, int address, long mac, long now) {
        return write(tag(interfaceIndex, false), 0, ip4(address), mac, now, REACHABLE, true);
    }

    public boolean learn6(int interfaceIndex, long hi, long lo, long mac, long now) {
        return write(tag(interfaceIndex, true), hi, lo, mac, now, REACHABLE, true);
    }

    /**
     * RFC 826 merge: confirms the sender only if it already has a dynamic or pinned entry
     * (INCOMPLETE ones included), creating nothing. Returns whether an entry was updated.
     */
    public boolean refresh4(int interfaceIndex, int address, long mac, long now) {
        return write(tag(interfaceIndex, false), 0, ip4(address), mac, now, REACHABLE, false);
    }

    public boolean refresh6(int interfaceIndex, long hi, long lo, long mac, long now) {
        return write(tag(interfaceIndex, true), hi, lo, mac, now, REACHABLE, false);
    }

    /** A configured neighbour, pinned. Throws when the pinned reserve is full. */
    public void addStatic4(int interfaceIndex, int address, long mac, long now) {
        if (!write(tag(interfaceIndex, false), 0, ip4(address), mac, now, PERMANENT, true)) {
            throw reserveFull();
        }
    }

    public void addStatic6(int interfaceIndex, long hi, long lo, long mac, long now) {
        if (!write(tag(interfaceIndex, true), hi, lo, mac, now, PERMANENT, true)) {
            throw reserveFull();
        }
    }

    /**
     * A neighbour the node's forwarding needs (a tunnel's underlay next hop): keeps its
     * entry, creating it INCOMPLETE when there is none, out of eviction's reach; resolved as
     * any other by requests and answers. Throws when the pinned reserve is full.
     */
    public void pin4(int interfaceIndex, int address, long now) {
        if (!pin(tag(interfaceIndex, false), 0, ip4(address), now)) {
            throw reserveFull();
        }
    }

    public void pin6(int interfaceIndex, long hi, long lo, long now) {
        if (!pin(tag(interfaceIndex, true), hi, lo, now)) {
            throw reserveFull();
        }
    }

    /** Removes the entry, whatever its state or kind; returns whether there was one. */
    public boolean remove4(int interfaceIndex, int address) {
        return remove(tag(interfaceIndex, false), 0, ip4(address));
    }

    public boolean remove6(int interfaceIndex, long hi, long lo) {
        return remove(tag(interfaceIndex, true), hi, lo);
    }

    /**
     * Whether the caller should send an ARP request for this neighbour now: at most one per
     * {@code intervalNanos} per neighbour, however many workers ask. {@link #REQUEST_DUE}
     * records the request (creating an INCOMPLETE entry when there is none, evicting a
     * dynamic one if need be: a request is always tracked); {@link #REQUEST_RECENT} one went
     * out less than the interval ago; {@link #REQUEST_RESOLVED} the MAC is known (REACHABLE
     * or PERMANENT) meanwhile.
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
     * {@code incompleteTime}, are removed, except pinned ones: a pinned STALE entry goes back
     * to INCOMPLETE (it has to be asked for again) and a pinned INCOMPLETE one stays. Control
     * thread, from a periodic timer. Returns how many entries lost their MAC or went.
     */
    public int expire(long now) {
        int n = 0;
        int[] doomedTags;
        long[] doomedHis;
        long[] doomedLos;
        boolean[] hadMac;
        long stamp = lock.writeLock();
        try {
            int count = dynamic + pinnedCount;
            doomedTags = new int[count];
            doomedHis = new long[count];
            doomedLos = new long[count];
            hadMac = new boolean[count];
            long reachable = params.reachableTimeNanos();
            long gone = reachable + params.staleTimeNanos();
            for (int id = 0; id < tags.length; id++) {
                if (tags[id] == EMPTY) {
                    continue;
                }
                long age = now - confirmed[id];
                byte state = states[id];
                if (state == REACHABLE && age >= reachable) {
                    states[id] = state = STALE;
                }
                boolean doomed = (state == STALE && age >= gone)
                        || (state == INCOMPLETE && age >= params.incompleteTimeNanos() && !pinned[id]);
                if (!doomed) {
                    continue;
                }
                doomedTags[n] = tags[id];
                doomedHis[n] = his[id];
                doomedLos[n] = los[id];
                hadMac[n] = state != INCOMPLETE;
                n++;
                if (pinned[id]) {
                    fill(id, 0, now, INCOMPLETE);
                } else {
                    removeEntry(id);
                }
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

    /** Entries of both kinds. */
    public int size() {
        return (int) readLocked(() -> dynamic + pinnedCount);
    }

    /** Pinned entries (static ones and needed next hops). */
    public int pinnedCount() {
        return (int) readLocked(() -> pinnedCount);
    }

    /** Dynamic entries on {@code interfaceIndex}, at most {@code params().perInterface()}. */
    public int dynamicOn(int interfaceIndex) {
        return (int) readLocked(() -> interfaceIndex >= 0 && interfaceIndex < dynamicOn.length ? dynamicOn[interfaceIndex] : 0);
    }

    /** Entries pushed out by new ones since the table was made. */
    public long evictions() {
        return readLocked(() -> evictions);
    }

    /**
     * Index slots and list steps the write path has inspected since the table was made:
     * divided by the writes, the cost of one insert, which must not grow with the table.
     */
    public long probes() {
        return readLocked(() -> probes);
    }

    /**
     * {@code show neighbours}: one line per entry, by interface then address, then one line
     * per interface with dynamic entries counting them against the limit. Age is the time
     * since the last confirmation (or, for INCOMPLETE, since the first request); a pinned
     * entry's state carries a {@code *}.
     */
    public String format(long now, InterfaceTable interfaces) {
        Listing listing = listing(now);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-40s %-17s %-16s %-11s %s%n", "Address", "MAC", "Interface", "State", "Age"));
        for (Entry r : listing.entries()) {
            String address = r.ip6() ? Prefixes.format6(r.hi(), r.lo()) : Prefixes.format4((int) r.lo());
            String mac = r.state() == State.INCOMPLETE ? "-" : new MacAddress(r.mac()).toString();
            String age = r.state() == State.PERMANENT ? "-" : String.format(Locale.ROOT, "%.1fs", r.ageNanos() / 1e9);
            String state = r.state() + (r.pinned() && r.state() != State.PERMANENT ? "*" : "");
            sb.append(String.format(Locale.ROOT, "%-40s %-17s %-16s %-11s %s%n", address, mac,
                    name(interfaces, r.interfaceIndex()), state, age));
        }
        int[] perItf = listing.dynamicPerInterface();
        for (int itf = 0; itf < perItf.length; itf++) {
            if (perItf[itf] > 0) {
                sb.append(String.format(Locale.ROOT, "dynamic on %s: %d of %d%n", name(interfaces, itf), perItf[itf],
                        perInterface));
            }
        }
        sb.append(String.format(Locale.ROOT, "evictions: %d%n", listing.evictions()));
        return sb.toString();
    }

    /**
     * One neighbour as {@code show neighbours} lists it.
     *
     * @param pinned   asked for by the control plane (a tunnel's underlay next hop), so kept
     * @param ageNanos since the entry was last confirmed
     */
    public record Entry(int interfaceIndex, boolean ip6, long hi, long lo, long mac, State state, boolean pinned,
                        long ageNanos) {}

    /**
     * A consistent copy of the table, sorted by interface, family and address.
     *
     * @param dynamicPerInterface dynamic entries on each interface index, against {@code perInterface}
     */
    public record Listing(List<Entry> entries, int[] dynamicPerInterface, int perInterface, long evictions) {}

    /** The table as it is at {@code now}, taken under the read lock (control thread or admin). */
    public Listing listing(long now) {
        List<Entry> rows = new ArrayList<>();
        int[] perItf;
        long evicted;
        long stamp = lock.readLock();
        try {
            for (int id = 0; id < tags.length; id++) {
                if (tags[id] != EMPTY) {
                    rows.add(new Entry(tags[id] >>> 1, (tags[id] & 1) != 0, his[id], los[id], macs[id],
                            STATES[states[id]], pinned[id], now - confirmed[id]));
                }
            }
            perItf = dynamicOn.clone();
            evicted = evictions;
        } finally {
            lock.unlockRead(stamp);
        }
        rows.sort(Comparator.comparingInt(Entry::interfaceIndex).thenComparing(Entry::ip6)
                .thenComparing(Entry::hi, Long::compareUnsigned).thenComparing(Entry::lo, Long::compareUnsigned));
        return new Listing(List.copyOf(rows), perItf, perInterface, evicted);
    }

    private static String name(InterfaceTable interfaces, int itf) {
        NetInterface i = interfaces == null ? null : interfaces.get(itf);
        return i == null ? "if" + itf : i.name();
    }

    // ---- internals: keys and the index -------------------------------------------------

    private static int tag(int interfaceIndex, boolean ip6) {
        if (interfaceIndex < 0 || interfaceIndex > MAX_INTERFACE) {
            throw new IllegalArgumentException("interface index out of range: " + interfaceIndex);
        }
        return interfaceIndex << 1 | (ip6 ? 1 : 0);
    }

    private static long ip4(int address) {
        return Integer.toUnsignedLong(address);
    }

    private IllegalStateException reserveFull() {
        return new IllegalStateException("neighbour table's reserve for static and pinned entries is full ("
                + params.maxEntries() + ")");
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

    /** Id of the key or -1, for readers. Bounded so that a torn optimistic read cannot spin. */
    private int find(int tag, long hi, long lo) {
        int i = hash(tag, hi, lo) & mask;
        for (int step = 0; step <= mask; step++) {
            int id = index[i];
            if (id == EMPTY) {
                return -1;
            }
            if (tags[id] == tag && his[id] == hi && los[id] == lo) {
                return id;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Index slot of the key, or {@code -(free slot) - 1}: the writer's find, counted. */
    private int slot(int tag, long hi, long lo, int h) {
        int i = h & mask;
        while (true) {
            probes++;
            int id = index[i];
            if (id == EMPTY) {
                return -i - 1;
            }
            if (hashes[id] == h && tags[id] == tag && his[id] == hi && los[id] == lo) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /** Index slot holding {@code id}. */
    private int slotOf(int id) {
        int i = hashes[id] & mask;
        while (true) {
            probes++;
            if (index[i] == id) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /** Backward-shift deletion (Knuth 6.4, algorithm R): no tombstones, probes stay short. */
    private void unindex(int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int id = index[j];
            probes++;
            if (id == EMPTY) {
                break;
            }
            int home = hashes[id] & mask;
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                index[hole] = id;
                hole = j;
            }
        }
        index[hole] = EMPTY;
    }

    // ---- internals: reads --------------------------------------------------------------

    private long usableMacUnlocked(int tag, long hi, long lo) {
        int id = find(tag, hi, lo);
        return id < 0 || states[id] == INCOMPLETE ? NONE : macs[id];
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
            int id = find(tag, hi, lo);
            return id < 0 ? null : STATES[states[id]];
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private boolean isPinned(int tag, long hi, long lo) {
        long stamp = lock.readLock();
        try {
            int id = find(tag, hi, lo);
            return id >= 0 && pinned[id];
        } finally {
            lock.unlockRead(stamp);
        }
    }

    // ---- internals: writes -------------------------------------------------------------

    /** Creates ({@code create}) or updates an entry to {@code state} with {@code mac}. */
    private boolean write(int tag, long hi, long lo, long mac, long now, byte state, boolean create) {
        mac &= MAC_MASK;
        boolean stored;
        boolean resolved = false;
        int lostTag = EMPTY;
        long lostHi = 0;
        long lostLo = 0;
        int h = hash(tag, hi, lo);
        long stamp = lock.writeLock();
        try {
            int s = slot(tag, hi, lo, h);
            if (s >= 0) {
                int id = index[s];
                byte old = states[id];
                if (old == PERMANENT && state != PERMANENT) {
                    stored = false;
                } else if (state == PERMANENT && !pinned[id] && pinnedCount >= params.maxEntries()) {
                    stored = false;
                } else {
                    resolved = old == INCOMPLETE || macs[id] != mac;
                    // Off its lists while the state changes, back on at the known head:
                    // a confirmation makes it the most recently used.
                    boolean wasDynamic = !pinned[id];
                    if (wasDynamic) {
                        unlinkDynamic(id);
                    }
                    if (wasDynamic && state == PERMANENT) {
                        pinned[id] = true;
                        pinnedCount++;
                    }
                    fill(id, mac, now, state);
                    if (!pinned[id]) {
                        linkDynamic(id, false);
                    }
                    stored = true;
                }
            } else if (!create) {
                stored = false;
            } else if (state == PERMANENT) {
                if (pinnedCount >= params.maxEntries()) {
                    stored = false;
                } else {
                    int id = add(-s - 1, tag, hi, lo, h);
                    pinned[id] = true;
                    pinnedCount++;
                    fill(id, mac, now, state);
                    resolved = true;
                    stored = true;
                }
            } else {
                s = makeRoom(tag, hi, lo, h, s, false);
                lostTag = evictedTag;
                lostHi = evictedHi;
                lostLo = evictedLo;
                int id = add(-s - 1, tag, hi, lo, h);
                fill(id, mac, now, state);
                linkDynamic(id, false);
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

    /**
     * Under the write lock, before a dynamic entry is added: evicts the victim its interface
     * (or the table) gives up, if one must go, and returns the insertion slot for the key,
     * {@code s} when nothing moved. What was evicted with a MAC is left in {@code evicted*}
     * for the caller to announce once the lock is released.
     */
    private int makeRoom(int tag, long hi, long lo, int h, int s, boolean request) {
        evictedTag = EMPTY;
        int victim = victimFor(tag >>> 1, request);
        if (victim < 0) {
            return s;
        }
        if (states[victim] != INCOMPLETE) {
            evictedTag = tags[victim];
            evictedHi = his[victim];
            evictedLo = los[victim];
        }
        removeEntry(victim);
        evictions++;
        return slot(tag, hi, lo, h);
    }

    private boolean pin(int tag, long hi, long lo, long now) {
        int h = hash(tag, hi, lo);
        long stamp = lock.writeLock();
        try {
            int s = slot(tag, hi, lo, h);
            if (s >= 0) {
                int id = index[s];
                if (!pinned[id]) {
                    if (pinnedCount >= params.maxEntries()) {
                        return false;
                    }
                    makePinned(id);
                }
                return true;
            }
            if (pinnedCount >= params.maxEntries()) {
                return false;
            }
            int id = add(-s - 1, tag, hi, lo, h);
            pinned[id] = true;
            pinnedCount++;
            fill(id, 0, now, INCOMPLETE);
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private int claim(int tag, long hi, long lo, long now, long interval) {
        // Fast path, no write: packets queued behind a request that just went out.
        long stamp = lock.tryOptimisticRead();
        int id = find(tag, hi, lo);
        byte state = id < 0 ? INCOMPLETE : states[id];
        long last = id < 0 ? NEVER : requested[id];
        if (lock.validate(stamp) && id >= 0) {
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
        int h = hash(tag, hi, lo);
        stamp = lock.writeLock();
        try {
            int s = slot(tag, hi, lo, h);
            if (s >= 0) {
                id = index[s];
                state = states[id];
                last = requested[id];
                if (state == REACHABLE || state == PERMANENT) {
                    result = REQUEST_RESOLVED;
                } else if (last != NEVER && now - last < interval) {
                    result = REQUEST_RECENT;
                } else {
                    requested[id] = now;
                    result = REQUEST_DUE;
                }
            } else {
                s = makeRoom(tag, hi, lo, h, s, true);
                lostTag = evictedTag;
                lostHi = evictedHi;
                lostLo = evictedLo;
                id = add(-s - 1, tag, hi, lo, h);
                fill(id, 0, now, INCOMPLETE);
                requested[id] = now;
                linkDynamic(id, true);
                result = REQUEST_DUE;
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
        int h = hash(tag, hi, lo);
        long stamp = lock.writeLock();
        try {
            int s = slot(tag, hi, lo, h);
            if (s < 0) {
                return false;
            }
            int id = index[s];
            hadMac = states[id] != INCOMPLETE;
            removeEntry(id);
        } finally {
            lock.unlockWrite(stamp);
        }
        if (hadMac) {
            fireLost(tag, hi, lo);
        }
        return true;
    }

    /**
     * The dynamic entry a new one on {@code itf} must replace, or -1 when there is room;
     * see the class comment for the order. Pinned entries are on no list, so never chosen.
     */
    private int victimFor(int itf, boolean request) {
        lane(itf);
        probes++;
        if (request && askedOn[itf] >= askedShare) {
            return askedTail[itf];
        }
        if (dynamicOn[itf] >= perInterface) {
            return !request && askedTail[itf] != NIL ? askedTail[itf] : knownTail[itf];
        }
        return dynamic >= params.maxEntries() ? allTail : -1;
    }

    /** A free id for the key, indexed at the free slot {@code at}. */
    private int add(int at, int tag, long hi, long lo, int h) {
        int id = free;
        free = next[id];
        tags[id] = tag;
        his[id] = hi;
        los[id] = lo;
        hashes[id] = h;
        pinned[id] = false;
        index[at] = id;
        return id;
    }

    private void removeEntry(int id) {
        unindex(slotOf(id));
        if (pinned[id]) {
            pinnedCount--;
        } else {
            unlinkDynamic(id);
        }
        tags[id] = EMPTY;
        next[id] = free;
        free = id;
    }

    private void makePinned(int id) {
        if (!pinned[id]) {
            unlinkDynamic(id);
            pinned[id] = true;
            pinnedCount++;
        }
    }

    private void fill(int id, long mac, long now, byte state) {
        macs[id] = mac;
        states[id] = state;
        confirmed[id] = now;
        requested[id] = NEVER;
    }

    // ---- internals: the LRU lists ------------------------------------------------------

    /** Makes room in the per-interface arrays for {@code itf}: once per interface. */
    private void lane(int itf) {
        if (itf < dynamicOn.length) {
            return;
        }
        int n = Math.max(itf + 1, 2 * dynamicOn.length);
        askedHead = grow(askedHead, n);
        askedTail = grow(askedTail, n);
        knownHead = grow(knownHead, n);
        knownTail = grow(knownTail, n);
        dynamicOn = Arrays.copyOf(dynamicOn, n);
        askedOn = Arrays.copyOf(askedOn, n);
    }

    private static int[] grow(int[] a, int n) {
        int[] b = Arrays.copyOf(a, n);
        Arrays.fill(b, a.length, n, NIL);
        return b;
    }

    private void linkDynamic(int id, boolean asked) {
        int itf = tags[id] >>> 1;
        lane(itf);
        pushLane(id, itf, asked);
        dynamicOn[itf]++;
        if (asked) {
            askedOn[itf]++;
        }
        olderAll[id] = allHead;
        newerAll[id] = NIL;
        if (allHead != NIL) {
            newerAll[allHead] = id;
        } else {
            allTail = id;
        }
        allHead = id;
        dynamic++;
    }

    private void unlinkDynamic(int id) {
        int itf = tags[id] >>> 1;
        boolean asked = states[id] == INCOMPLETE;
        popLane(id, itf, asked);
        dynamicOn[itf]--;
        if (asked) {
            askedOn[itf]--;
        }
        int older = olderAll[id];
        int newer = newerAll[id];
        if (newer != NIL) {
            olderAll[newer] = older;
        } else {
            allHead = older;
        }
        if (older != NIL) {
            newerAll[older] = newer;
        } else {
            allTail = newer;
        }
        dynamic--;
    }

    private void pushLane(int id, int itf, boolean asked) {
        int[] head = asked ? askedHead : knownHead;
        int[] tail = asked ? askedTail : knownTail;
        prev[id] = NIL;
        next[id] = head[itf];
        if (head[itf] != NIL) {
            prev[head[itf]] = id;
        } else {
            tail[itf] = id;
        }
        head[itf] = id;
    }

    private void popLane(int id, int itf, boolean asked) {
        int[] head = asked ? askedHead : knownHead;
        int[] tail = asked ? askedTail : knownTail;
        int p = prev[id];
        int n = next[id];
        if (p != NIL) {
            next[p] = n;
        } else {
            head[itf] = n;
        }
        if (n != NIL) {
            prev[n] = p;
        } else {
            tail[itf] = p;
        }
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

    /** {@code read} under the read lock: the counters a report reads, never the data path. */
    private long readLocked(java.util.function.LongSupplier read) {
        long stamp = lock.readLock();
        try {
            return read.getAsLong();
        } finally {
            lock.unlockRead(stamp);
        }
    }
}
