package dev.cipherlane.ipsec.sa;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The SA database (RFC 4301 section 4.4.2) of one node: SAs by index, inbound ones by SPI, and
 * which SAs protect which tunnel.
 *
 * <p>Threads, as the FIB and tunnel tables: one control thread mutates this object; after a
 * batch of changes it calls {@link #publish()}, and workers read the immutable
 * {@link Snapshot} with one volatile load per frame ({@link #current()}). A rekey is therefore
 * make-before-break: add the new SAs, publish; protect the tunnel with the new outbound SA and
 * both inbound ones, publish; later drop the old inbound SA, publish. Each step is atomic for the
 * workers.
 *
 * <p>The mutable state of an SA ({@link SaState}: sequence counter, replay window, counters)
 * belongs to its index for as long as the SA is there and is shared by every snapshot that has
 * it. {@link #replace} installs a new SA at an index with fresh state. Freed indexes are reused
 * oldest first, so a packet still carrying an index from an old snapshot is unlikely to meet a
 * new SA there; if it does, it is encrypted under the wrong key and fails the peer's ICV.
 *
 * <p>Limits: byte and packet limits are checked by the workers ({@link SaCounters}); lifetimes by
 * the control plane calling {@link #checkLifetimes()}. Both raise events collected by
 * {@link #pollEvents()}.
 */
public final class SaTable {
    private final LongSupplier nanoClock;
    private SaState[] states = new SaState[16];
    private int size;
    private final ArrayDeque<Integer> freed = new ArrayDeque<>();
    private final TreeMap<Integer, TunnelProtection> protections = new TreeMap<>();
    private volatile Snapshot current = new Snapshot(new SaState[0], 0, new InboundSpiIndex(new int[0], new int[0], 0),
            new int[0], new int[0]);

    public SaTable() {
        this(System::nanoTime);
    }

    /** @param nanoClock the clock SA lifetimes are measured with, {@link System#nanoTime()} based */
    public SaTable(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Adds an SA with its default sequence source (outbound: in memory from 1); returns its index. */
    public int add(SecurityAssociation sa) {
        return add(sa, null);
    }

    /**
     * Adds an SA; an outbound one takes its sequence numbers from {@code sequence} (null for the
     * in-memory counter). Inbound SPIs must be unique among inbound SAs.
     */
    public int add(SecurityAssociation sa, SequenceSource sequence) {
        return add(sa, sequence, null);
    }

    /**
     * Adds an inbound SA whose replay window was made by its caller: one that resumes where a
     * window of the same key stopped before a restart and persists its marks ahead (RFC 4303
     * section 3.4.3). Its size must be the SA's.
     */
    public int addInbound(SecurityAssociation sa, ReplayWindow window) {
        if (!sa.inbound() || window == null || window.size() != sa.replayWindow()) {
            throw new IllegalArgumentException("an inbound SA and a replay window of its size must be given");
        }
        return add(sa, null, window);
    }

    private int add(SecurityAssociation sa, SequenceSource sequence, ReplayWindow window) {
        checkNew(sa, sequence, -1);
        int index;
        if (!freed.isEmpty()) {
            index = freed.poll();
        } else {
            if (size == states.length) {
                states = Arrays.copyOf(states, size * 2);
            }
            index = size++;
        }
        states[index] = new SaState(index, sa, sequence, window, nanoClock.getAsLong());
        return index;
    }

    /**
     * Installs {@code sa} at {@code index} with fresh state; a tunnel protected by it keeps it.
     * The old SA's key is closed, as by {@link #remove}.
     */
    public void replace(int index, SecurityAssociation sa, SequenceSource sequence) {
        SaState old = require(index);
        checkNew(sa, sequence, index);
        TunnelProtection p = protectedBy(index);
        if (p != null && (old.sa().direction() != sa.direction() || sa.tunnel() != p.tunnel())) {
            throw new IllegalStateException("SA " + index + " protects tunnel " + p.tunnel()
                    + "; its replacement must be " + old.sa().direction().name().toLowerCase(Locale.ROOT) + " on that tunnel");
        }
        states[index] = new SaState(index, sa, sequence, null, nanoClock.getAsLong());
        old.close();
    }

    public void replace(int index, SecurityAssociation sa) {
        replace(index, sa, null);
    }

    /**
     * Removes SA {@code index}; it must not protect a tunnel any more. Its key is closed (the
     * ipsec-mb key data wiped): a worker still on an older snapshot drops what it had left
     * under this SA rather than sealing it.
     */
    public void remove(int index) {
        SaState old = require(index);
        TunnelProtection p = protectedBy(index);
        if (p != null) {
            throw new IllegalStateException("SA " + index + " still protects tunnel " + p.tunnel() + "; unprotect first");
        }
        states[index] = null;
        freed.add(index);
        old.close();
    }

    /**
     * Sets the SAs of a tunnel, replacing what it had. The outbound SA (unless
     * {@link TunnelProtection#NO_SA}) must be an outbound SA of that tunnel, the inbound ones
     * inbound SAs of that tunnel.
     */
    public void protect(TunnelProtection p) {
        if (p.outboundSa() != TunnelProtection.NO_SA) {
            checkMember(p, p.outboundSa(), Direction.OUTBOUND);
        }
        for (int in : p.inboundSas()) {
            checkMember(p, in, Direction.INBOUND);
        }
        protections.put(p.tunnel(), p);
    }

    /** The tunnel is no longer protected: its packets find no SA and are dropped. */
    public void unprotect(int tunnel) {
        protections.remove(tunnel);
    }

    public TunnelProtection protection(int tunnel) {
        return protections.get(tunnel);
    }

    /** Makes the current SAs and protections visible to the workers; returns the new snapshot. */
    public Snapshot publish() {
        SaState[] copy = Arrays.copyOf(states, size);
        int inbound = 0;
        int[] spis = new int[size];
        int[] indexes = new int[size];
        for (int i = 0; i < size; i++) {
            if (copy[i] != null && !copy[i].outbound()) {
                spis[inbound] = copy[i].spi();
                indexes[inbound++] = i;
            }
        }
        int tunnels = protections.isEmpty() ? 0 : protections.lastKey() + 1;
        int[] outboundByTunnel = new int[tunnels];
        int[] inboundByTunnel = new int[tunnels * TunnelProtection.MAX_INBOUND];
        Arrays.fill(outboundByTunnel, TunnelProtection.NO_SA);
        Arrays.fill(inboundByTunnel, TunnelProtection.NO_SA);
        for (TunnelProtection p : protections.values()) {
            outboundByTunnel[p.tunnel()] = p.outboundSa();
            for (int i = 0; i < p.inboundSas().size(); i++) {
                inboundByTunnel[p.tunnel() * TunnelProtection.MAX_INBOUND + i] = p.inboundSas().get(i);
            }
        }
        Snapshot s = new Snapshot(copy, size, new InboundSpiIndex(spis, indexes, inbound), outboundByTunnel,
                inboundByTunnel);
        current = s;
        return s;
    }

    /** The snapshot last published: what stages read, once per frame. */
    public Snapshot current() {
        return current;
    }

    /** The SA at {@code index} (control plane view, including changes not yet published). */
    public SecurityAssociation sa(int index) {
        return require(index).sa();
    }

    public SaState state(int index) {
        return require(index);
    }

    public boolean contains(int index) {
        return index >= 0 && index < size && states[index] != null;
    }

    /** Indexes of the SAs present, ascending. */
    public List<Integer> indexes() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (states[i] != null) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Carries on the lifetime of an SA whose key was in use before a restart: it has already
     * carried {@code packets} and {@code bytes} (at least) and is {@code age} old. Limits
     * those reach are raised at once, so a hard limit keeps the SA down (fail closed) from
     * its first packet. Before the SA is published.
     */
    public void resume(int index, long packets, long bytes, Duration age) {
        SaState s = require(index);
        if (packets < 0 || bytes < 0 || age.isNegative()) {
            throw new IllegalArgumentException("SA usage cannot be negative: " + packets + " packets, " + bytes
                    + " bytes, age " + age);
        }
        s.installedNanos(nanoClock.getAsLong() - age.toNanos());
        s.counters().resume(packets, bytes);
        checkLifetime(s, nanoClock.getAsLong());
    }

    /**
     * Raises lifetime events of SAs whose soft or hard lifetime has passed; a passed hard
     * lifetime also expires the SA. Call periodically from the control plane.
     */
    public void checkLifetimes() {
        long now = nanoClock.getAsLong();
        for (int i = 0; i < size; i++) {
            SaState s = states[i];
            if (s != null) {
                checkLifetime(s, now);
            }
        }
    }

    /**
     * {@link #checkLifetimes()} for SA {@code index} alone: what one tunnel's control checks.
     * Safe beside the same call for other SAs on other threads: it touches only that SA's
     * counters, which are thread-safe; the table's structure is not changed.
     */
    public void checkLifetime(int index) {
        checkLifetime(require(index), nanoClock.getAsLong());
    }

    private static void checkLifetime(SaState s, long now) {
        SaLimits l = s.sa().limits();
        long age = now - s.installedNanos();
        if (!l.softLifetime().isZero() && age >= l.softLifetime().toNanos()) {
            s.counters().raise(SaLimit.SOFT_LIFETIME);
        }
        if (!l.hardLifetime().isZero() && age >= l.hardLifetime().toNanos()) {
            s.counters().raise(SaLimit.HARD_LIFETIME);
        }
    }

    /** Limits crossed since the last call, by SA index then limit; each (SA, limit) at most once ever. */
    public List<SaEvent> pollEvents() {
        List<SaEvent> events = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            SaState s = states[i];
            if (s == null) {
                continue;
            }
            int bits = s.counters().takePending();
            for (SaLimit l : SaLimit.values()) {
                if ((bits & l.bit()) != 0) {
                    events.add(new SaEvent(i, s.spi(), l));
                }
            }
        }
        return events;
    }

    /** {@link #pollEvents()} for SA {@code index} alone, safe as {@link #checkLifetime(int)} is. */
    public List<SaEvent> pollEvents(int index) {
        SaState s = require(index);
        List<SaEvent> events = new ArrayList<>();
        int bits = s.counters().takePending();
        for (SaLimit l : SaLimit.values()) {
            if ((bits & l.bit()) != 0) {
                events.add(new SaEvent(index, s.spi(), l));
            }
        }
        return events;
    }

    private SaState require(int index) {
        if (!contains(index)) {
            throw new IllegalArgumentException("no SA " + index);
        }
        return states[index];
    }

    private void checkNew(SecurityAssociation sa, SequenceSource sequence, int replacing) {
        if (sa == null) {
            throw new IllegalArgumentException("SA must be given");
        }
        if (sequence != null && sa.inbound()) {
            throw new IllegalArgumentException("a sequence source is for outbound SAs only");
        }
        if (sa.inbound()) {
            for (int i = 0; i < size; i++) {
                if (i != replacing && states[i] != null && !states[i].outbound() && states[i].spi() == sa.spi()) {
                    throw new IllegalArgumentException("inbound SPI 0x" + Integer.toHexString(sa.spi())
                            + " already used by SA " + i);
                }
            }
        }
    }

    private void checkMember(TunnelProtection p, int index, Direction direction) {
        SaState s = require(index);
        if (s.sa().direction() != direction) {
            throw new IllegalArgumentException("SA " + index + " is not " + direction.name().toLowerCase(Locale.ROOT));
        }
        if (s.sa().tunnel() != p.tunnel()) {
            throw new IllegalArgumentException("SA " + index + " belongs to tunnel " + s.sa().tunnel()
                    + ", not tunnel " + p.tunnel());
        }
    }

    private TunnelProtection protectedBy(int index) {
        for (TunnelProtection p : protections.values()) {
            if (p.outboundSa() == index || p.inboundSas().contains(index)) {
                return p;
            }
        }
        return null;
    }

    /**
     * What workers see: immutable, taken by {@link #publish()}. Lookups allocate nothing.
     */
    public static final class Snapshot {
        /** {@link #findInbound} found nothing. */
        public static final int NOT_FOUND = InboundSpiIndex.NOT_FOUND;

        private final SaState[] states;
        private final int size;
        private final InboundSpiIndex inbound;
        private final int[] outboundByTunnel;
        private final int[] inboundByTunnel;

        Snapshot(SaState[] states, int size, InboundSpiIndex inbound, int[] outboundByTunnel, int[] inboundByTunnel) {
            this.states = states;
            this.size = size;
            this.inbound = inbound;
            this.outboundByTunnel = outboundByTunnel;
            this.inboundByTunnel = inboundByTunnel;
        }

        /** The SA at {@code index}, or null if there is none (any int is accepted). */
        public SaState state(int index) {
            return index >= 0 && index < size ? states[index] : null;
        }

        /** The index of the inbound SA with {@code spi}, or {@link #NOT_FOUND}. */
        public int findInbound(int spi) {
            return inbound.find(spi);
        }

        /** The outbound SA index of {@code tunnel}, or {@link TunnelProtection#NO_SA}. */
        public int outboundSa(int tunnel) {
            return tunnel >= 0 && tunnel < outboundByTunnel.length ? outboundByTunnel[tunnel] : TunnelProtection.NO_SA;
        }

        /** Whether inbound SA {@code sa} is one the tunnel accepts packets from. */
        public boolean accepts(int tunnel, int sa) {
            if (tunnel < 0 || tunnel >= outboundByTunnel.length || sa < 0) {
                return false;
            }
            int base = tunnel * TunnelProtection.MAX_INBOUND;
            for (int i = 0; i < TunnelProtection.MAX_INBOUND; i++) {
                if (inboundByTunnel[base + i] == sa) {
                    return true;
                }
            }
            return false;
        }

        /** One more than the highest SA index. */
        public int size() {
            return size;
        }
    }
}
