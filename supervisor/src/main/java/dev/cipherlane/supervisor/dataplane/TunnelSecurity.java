package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.IpsecLifetime;
import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.ipsec.esp.Esp;
import dev.cipherlane.ipsec.keys.KeyFileException;
import dev.cipherlane.ipsec.keys.ReplayReservation;
import dev.cipherlane.ipsec.keys.SaKeys;
import dev.cipherlane.ipsec.keys.SequenceReservation;
import dev.cipherlane.ipsec.keys.SequenceStateException;
import dev.cipherlane.ipsec.keys.SequenceStore;
import dev.cipherlane.ipsec.keys.StaticKeyFile;
import dev.cipherlane.ipsec.keys.UsageReservation;
import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaEvent;
import dev.cipherlane.ipsec.sa.SaLimits;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.ipsec.sa.SequenceSource;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.tunnel.TunnelTable;
import dev.cipherlane.supervisor.admin.views.SaView;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import dev.cipherlane.ipsec.keys.KeyFingerprint;
import dev.cipherlane.ipsec.keys.KeyMaterial;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ESP on every tunnel, from static key files (DESIGN.md, "IPsec"; IKEv2 replaces the files
 * later). For each tunnel it loads {@code <key-dir>/<peer>.<tunnel>.key}, adds the inbound and
 * the outbound SA to the SA table, and protects the tunnel with them. The outbound sequence
 * numbers come from a reservation persisted under the state directory, so a restart, even
 * after {@code kill -9}, never sends a sequence number twice under a key; the inbound replay
 * windows persist their marks ahead the same way, so no packet accepted before a restart is
 * accepted after it (RFC 4303 section 3.4.3).
 *
 * <p>Fail closed: a tunnel whose key file is missing, unreadable or refused (loose
 * permissions, bad values), or whose sequence or replay state is damaged or lost, is still
 * protected, with no SA: its traffic is dropped and counted
 * by {@code esp-encrypt}, never sent in clear, and the problem is logged once.
 */
final class TunnelSecurity implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelSecurity.class);

    /** The sequence state files' directory under the node's state directory. */
    static final String SEQUENCE_DIR = "esp-sequences";

    private final SaTable table = new SaTable();
    private final SequenceStore sequences;
    private final List<SequenceReservation> reservations = new ArrayList<>();
    private final List<ReplayReservation> replays = new ArrayList<>();
    /**
     * Lifetime state of the SAs with limits, by SA index: filled at the start and as tunnels are
     * added or removed live; each entry is used by its tunnel's control alone.
     */
    private final Map<Integer, UsageReservation> usage = new ConcurrentHashMap<>();
    private volatile SaTable.Snapshot snapshot;
    /** Why each tunnel that fails closed has no SA, by tunnel index, for {@code show health}. */
    private final Map<Integer, String> failedClosed = new ConcurrentHashMap<>();
    /** Limits each SA crossed, for {@code show sa}; written by the tunnels' controls. */
    private final Map<Integer, String> crossed = new ConcurrentHashMap<>();

    private final IpsecSettings settings;
    /** Of every SA in the table, by SA index: what a tunnel added live must not share. */
    private final Map<Integer, Integer> inboundSpiOf = new HashMap<>();
    private final Map<Integer, List<KeyFingerprint>> keysOf = new HashMap<>();
    /** The reservations each SA holds, by SA index, to write back when its tunnel goes. */
    private final Map<Integer, SequenceReservation> sequenceOf = new HashMap<>();
    private final Map<Integer, ReplayReservation> replayOf = new HashMap<>();

    private TunnelSecurity(IpsecSettings settings, SequenceStore sequences) {
        this.settings = settings;
        this.sequences = sequences;
    }

    /**
     * Builds the SAs for every tunnel of {@code forwarding} and protects the tunnels.
     *
     * @throws KeyFileException when two key files share key material or an inbound SPI (both
     *                          named): two senders would start at sequence 1 under one key and
     *                          salt, a GCM nonce reuse (RFC 4106 section 3.1), so the node refuses
     *                          to start rather than fail closed on one of them
     */
    static TunnelSecurity protect(IpsecSettings settings, Path stateDir, NodeForwarding forwarding) throws IOException {
        TunnelSecurity s = new TunnelSecurity(settings, SequenceStore.open(stateDir.resolve(SEQUENCE_DIR),
                settings.sequenceBlock(), true));
        Map<Integer, StaticKeyFile> keys = new LinkedHashMap<>();
        if (settings.negotiated()) {
            // IKE brings the keys: every tunnel drops its traffic until its first CHILD SA is up.
            for (NodeForwarding.TunnelInfo t : forwarding.tunnelInfo()) {
                forwarding.protect(t.index(), TunnelTable.NO_SA, new int[0], Esp.tunnelOverhead(settings.udpEncapsulation()));
            }
            s.snapshot = s.table.publish();
            return s;
        }
        try {
            for (NodeForwarding.TunnelInfo t : forwarding.tunnelInfo()) {
                StaticKeyFile k = s.loadKeys(settings, t);
                if (k != null) {
                    keys.put(t.index(), k);
                }
            }
            StaticKeyFile.requireDistinct(keys.values());
            int overhead = Esp.tunnelOverhead(settings.udpEncapsulation());
            for (NodeForwarding.TunnelInfo t : forwarding.tunnelInfo()) {
                StaticKeyFile k = keys.get(t.index());
                if (k == null) {
                    forwarding.protect(t.index(), TunnelTable.NO_SA, new int[0], overhead);
                } else {
                    int[] sas = s.add(settings, t, k);
                    if (sas != null) {
                        s.remember(sas, k);
                    }
                    if (sas == null) {
                        s.failedClosed.put(t.index(), "its sequence or replay state cannot be trusted (see the log)");
                        forwarding.protect(t.index(), TunnelTable.NO_SA, new int[0], overhead);
                    } else {
                        forwarding.protect(t.index(), sas[1], new int[] {sas[0]}, overhead);
                    }
                }
            }
            s.snapshot = s.table.publish();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        } finally {
            keys.values().forEach(StaticKeyFile::destroy);
        }
    }

    /** The tunnel's key file, or null when its keys are unusable (logged: the tunnel fails closed). */
    private StaticKeyFile loadKeys(IpsecSettings settings, NodeForwarding.TunnelInfo t) {
        Path file = settings.keyFile(t.peer(), t.ordinal());
        try {
            return StaticKeyFile.load(file);
        } catch (IOException e) {
            failedClosed.put(t.index(), "no usable keys: " + e.getMessage());
            LOG.error("tunnel {} to {}: no usable keys, its traffic is dropped: {}", t.ordinal(), t.peer(),
                    e.getMessage());
            return null;
        }
    }

    /**
     * Adds the tunnel's two SAs; returns their indexes {inbound, outbound}, or null when the
     * state of its keys cannot be trusted (logged: the tunnel fails closed, never starts over).
     */
    private int[] add(IpsecSettings settings, NodeForwarding.TunnelInfo t, StaticKeyFile keys) throws IOException {
        UdpEncapsulation udp = settings.udpEncapsulation() ? UdpEncapsulation.NAT_T : UdpEncapsulation.NONE;
        SecurityAssociation in = sa(keys.inbound(), Direction.INBOUND, t.index(), keys.esn(), settings, udp);
        SecurityAssociation out = sa(keys.outbound(), Direction.OUTBOUND, t.index(), keys.esn(), settings, udp);
        // The replay window first: a crash between the two leaves a replay file and no
        // sequence file, which reads as a fresh outbound key, never as lost inbound state.
        ReplayReservation replay;
        SequenceReservation sequence;
        try {
            replay = sequences.reserveReplay(keys.inbound(), keys.outbound(), keys.esn(), settings.replayWindow());
        } catch (SequenceStateException e) {
            LOG.error("tunnel {} to {}: refused, its traffic is dropped: {}", t.ordinal(), t.peer(), e.getMessage());
            return null;
        }
        try {
            sequence = sequences.reserve(keys.outbound(), keys.esn());
        } catch (SequenceStateException e) {
            replay.close();
            LOG.error("tunnel {} to {}: refused, its traffic is dropped: {}", t.ordinal(), t.peer(), e.getMessage());
            return null;
        }
        UsageReservation inUsage;
        UsageReservation outUsage;
        try {
            inUsage = reserveUsage(keys.inbound(), Direction.INBOUND, in.limits());
            outUsage = reserveUsage(keys.outbound(), Direction.OUTBOUND, out.limits());
        } catch (SequenceStateException e) {
            replay.close();
            sequence.close();
            LOG.error("tunnel {} to {}: refused, its traffic is dropped: {}", t.ordinal(), t.peer(), e.getMessage());
            return null;
        }
        replays.add(replay);
        reservations.add(sequence);
        int inbound = table.addInbound(in, replay.window());
        // Both operations: esp-encrypt reserves a frame's numbers at once with tryAcquire.
        int outbound = table.add(out, SequenceSource.of(sequence::next, sequence::tryAcquire));
        replayOf.put(inbound, replay);
        sequenceOf.put(outbound, sequence);
        resumeLifetime(inbound, inUsage);
        resumeLifetime(outbound, outUsage);
        LOG.info("tunnel {} to {}: protected, inbound spi {} outbound spi {}{}", t.ordinal(), t.peer(),
                SaKeys.spiText(keys.inbound().spi()), SaKeys.spiText(keys.outbound().spi()),
                udp.enabled() ? ", udp 4500" : "");
        return new int[] {inbound, outbound};
    }

    /**
     * Carries on the lifetime of SA {@code index} from {@code u} (RFC 4301 section 4.4.2.1), so
     * a limit reached before a restart is still reached after it; nothing for an SA without
     * limits, which keeps no usage file.
     */
    private void resumeLifetime(int index, UsageReservation u) {
        if (u != null) {
            usage.put(index, u);
            Instant now = Instant.now();
            table.resume(index, u.resumedPackets(), u.resumedBytes(), u.age(now));
        }
    }

    private UsageReservation reserveUsage(SaKeys keys, Direction direction, SaLimits limits) throws IOException {
        return limits.equals(SaLimits.NONE) ? null : sequences.reserveUsage(keys, direction, limits, Instant.now());
    }

    private static SecurityAssociation sa(SaKeys keys, Direction direction, int tunnel, boolean esn,
            IpsecSettings settings, UdpEncapsulation udp) {
        byte[] key = keys.material().copyKey();
        byte[] salt = keys.material().copySalt();
        try {
            int s = (salt[0] & 0xFF) << 24 | (salt[1] & 0xFF) << 16 | (salt[2] & 0xFF) << 8 | salt[3] & 0xFF;
            IpsecLifetime l = settings.lifetime();
            SaLimits limits = new SaLimits(l.softBytes(), l.hardBytes(), l.softPackets(), l.hardPackets(),
                    l.softTime(), l.hardTime());
            return new SecurityAssociation(keys.spi(), direction, key, s, esn, settings.replayWindow(), udp, tunnel,
                    limits);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(salt, (byte) 0);
        }
    }

    private void remember(int[] sas, StaticKeyFile k) {
        inboundSpiOf.put(sas[0], k.inbound().spi());
        keysOf.put(sas[0], List.of(k.inbound().material().fingerprint()));
        keysOf.put(sas[1], List.of(k.outbound().material().fingerprint()));
    }

    /**
     * Protects tunnel {@code t}, made on the running node (a peer's tunnel count raised): its key
     * file is loaded and its SAs added as at the start, but all or nothing: keys that are missing,
     * refused or shared with a running SA throw instead of failing closed, so the reload that
     * asked for the tunnel is undone rather than sending flows into a tunnel that drops them.
     * The caller publishes routes to it afterwards.
     */
    synchronized void protectTunnel(NodeForwarding forwarding, NodeForwarding.TunnelInfo t) throws IOException {
        Path file = settings.keyFile(t.peer(), t.ordinal());
        StaticKeyFile k = StaticKeyFile.load(file);
        try {
            if (inboundSpiOf.containsValue(k.inbound().spi())) {
                throw new KeyFileException(file + ": spi-in " + SaKeys.spiText(k.inbound().spi())
                        + " is already the inbound SPI of a running tunnel, expected an inbound SPI unique on the node");
            }
            for (List<KeyFingerprint> used : keysOf.values()) {
                if (used.contains(k.inbound().material().fingerprint()) || used.contains(k.outbound().material().fingerprint())) {
                    throw new KeyFileException(file + ": same key material as a running SA, expected a distinct key per SA");
                }
            }
            int[] sas = add(settings, t, k);
            if (sas == null) {
                throw new IOException("tunnel " + t.ordinal() + " to " + t.peer() + ": its sequence or replay state"
                        + " cannot be trusted (see the log)");
            }
            remember(sas, k);
            failedClosed.remove(t.index());
            snapshot = table.publish();
            forwarding.protect(t.index(), sas[1], new int[] {sas[0]}, Esp.tunnelOverhead(settings.udpEncapsulation()));
        } finally {
            k.destroy();
        }
    }

    /** A CHILD SA pair IKE negotiated for a tunnel: our inbound SA and our outbound one. */
    record NegotiatedSa(int inboundSpi, KeyMaterial inbound, int outboundSpi, KeyMaterial outbound, boolean esn) {}

    /** The negotiated SAs each tunnel has, by tunnel index: inbound ones newest first, outbound oldest first. */
    private final Map<Integer, List<Integer>> inboundOf = new HashMap<>();
    private final Map<Integer, List<Integer>> outboundOf = new HashMap<>();

    /**
     * Installs a negotiated CHILD SA pair on tunnel {@code t}, make-before-break (RFC 7296
     * section 2.8): the new inbound SA is accepted at once beside the ones the tunnel has. The
     * tunnel sends on its oldest outbound SA, so a rekey's new one takes over only once the old
     * pair is removed ({@link #removeNegotiated}), after the Delete exchange: by then both ends
     * hold the new inbound SA, whichever end started the rekey, and no packet is sent under a
     * key the peer does not have yet. Their keys die with the process, so their sequence
     * numbers and replay windows are kept in memory only: a restart negotiates new keys.
     * Returns the SA indexes {inbound, outbound}.
     */
    synchronized int[] installNegotiated(NodeForwarding forwarding, NodeForwarding.TunnelInfo t, NegotiatedSa n) {
        List<Integer> inbound = inboundOf.computeIfAbsent(t.index(), k -> new ArrayList<>());
        if (inbound.size() >= TunnelTable.MAX_INBOUND_SAS) {
            throw new IllegalStateException("tunnel " + Dataplane.tunnelName(t) + " already has "
                    + TunnelTable.MAX_INBOUND_SAS + " inbound SAs; remove an old one first");
        }
        if (inboundSpiOf.containsValue(n.inboundSpi())) {
            throw new IllegalArgumentException("inbound SPI " + SaKeys.spiText(n.inboundSpi()) + " is in use on this node");
        }
        UdpEncapsulation udp = settings.udpEncapsulation() ? UdpEncapsulation.NAT_T : UdpEncapsulation.NONE;
        SecurityAssociation in = sa(new SaKeys(n.inboundSpi(), n.inbound()), Direction.INBOUND, t.index(), n.esn(),
                settings, udp);
        SecurityAssociation out = sa(new SaKeys(n.outboundSpi(), n.outbound()), Direction.OUTBOUND, t.index(), n.esn(),
                settings, udp);
        int inIndex = table.addInbound(in, new dev.cipherlane.ipsec.sa.ReplayWindow(settings.replayWindow(), n.esn()));
        SequenceReservation sequence = SequenceReservation.unpersisted(n.outboundSpi(), n.esn());
        int outIndex = table.add(out, SequenceSource.of(sequence::next, sequence::tryAcquire));
        inboundSpiOf.put(inIndex, n.inboundSpi());
        inbound.addFirst(inIndex);
        List<Integer> outbound = outboundOf.computeIfAbsent(t.index(), k -> new ArrayList<>());
        outbound.addLast(outIndex);
        failedClosed.remove(t.index());
        snapshot = table.publish();
        forwarding.protect(t.index(), outbound.getFirst(), inbound.stream().mapToInt(Integer::intValue).toArray(),
                Esp.tunnelOverhead(settings.udpEncapsulation()));
        return new int[] {inIndex, outIndex};
    }

    /**
     * Removes negotiated SAs of tunnel {@code t} by SPI (either may be 0 for none): an inbound
     * SA stops being accepted; if the outbound one was the tunnel's, the next oldest takes over
     * (none left: the tunnel drops its traffic until IKE installs another). A worker still on
     * an older snapshot drops what it had under them, never seals with a removed key
     * ({@link SaTable#remove}).
     */
    synchronized void removeNegotiated(NodeForwarding forwarding, NodeForwarding.TunnelInfo t, int inboundSpi,
            int outboundSpi) {
        List<Integer> inbound = inboundOf.computeIfAbsent(t.index(), k -> new ArrayList<>());
        List<Integer> outbound = outboundOf.computeIfAbsent(t.index(), k -> new ArrayList<>());
        List<Integer> gone = new ArrayList<>();
        for (int index : table.indexes()) {
            SaState st = table.state(index);
            if (st.sa().tunnel() == t.index() && (st.outbound() ? outboundSpi != 0 && st.spi() == outboundSpi
                    : inboundSpi != 0 && st.spi() == inboundSpi)) {
                gone.add(index);
            }
        }
        inbound.removeAll(gone);
        outbound.removeAll(gone);
        // The next oldest outbound SA takes over, in the same snapshot that stops accepting the old.
        forwarding.protect(t.index(), outbound.isEmpty() ? TunnelTable.NO_SA : outbound.getFirst(),
                inbound.stream().mapToInt(Integer::intValue).toArray(), Esp.tunnelOverhead(settings.udpEncapsulation()));
        for (int index : gone) {
            inboundSpiOf.remove(index);
            crossed.remove(index);
            table.remove(index);
        }
        snapshot = table.publish();
    }

    /**
     * Takes tunnel {@code t}'s SAs away once no route leads into it and no worker holds its
     * packets: the tunnel drops what might still come (fail closed), its sequence numbers and
     * replay window are written back (a tunnel made again later resumes them, never reuses
     * one), and the SAs leave the table.
     */
    synchronized void unprotectTunnel(NodeForwarding forwarding, NodeForwarding.TunnelInfo t) throws IOException {
        forwarding.protect(t.index(), TunnelTable.NO_SA, new int[0], Esp.tunnelOverhead(settings.udpEncapsulation()));
        for (int index : table.indexes()) {
            if (table.state(index).sa().tunnel() != t.index()) {
                continue;
            }
            SequenceReservation sequence = sequenceOf.remove(index);
            if (sequence != null) {
                reservations.remove(sequence);
                sequence.close();
            }
            ReplayReservation replay = replayOf.remove(index);
            if (replay != null) {
                replays.remove(replay);
                replay.close();
            }
            UsageReservation u = usage.remove(index);
            if (u != null) {
                SaState st = table.state(index);
                u.close(st.counters().packets(), st.counters().bytes());
            }
            inboundSpiOf.remove(index);
            keysOf.remove(index);
            crossed.remove(index);
            table.remove(index);
        }
        snapshot = table.publish();
    }

    /**
     * Tunnel {@code tunnel}'s control (its {@link TunnelActor}), once a second: raises its SAs'
     * passed lifetimes, records their usage, then reports every limit they crossed since the
     * last call (RFC 4301 section 4.4.2.1). Static keys cannot be replaced while running, so a
     * soft limit is a warning to replace the key files and a hard one means the tunnel now
     * drops its traffic (fail closed) until they are and the node restarts. The tunnels'
     * checks, and tunnels added or removed live, take this object's monitor in turn: the SA
     * table's structure changes only under it.
     */
    synchronized List<SaEvent> checkLimits(int tunnel) {
        List<SaEvent> events = new ArrayList<>();
        for (int index : table.indexes()) {
            SaState st = table.state(index);
            if (st.sa().tunnel() != tunnel) {
                continue;
            }
            table.checkLifetime(index);
            UsageReservation u = usage.get(index);
            if (u != null) {
                try {
                    u.update(st.counters().packets(), st.counters().bytes());
                } catch (IOException | RuntimeException failed) {
                    // Retried next second; the file keeps the last step, so a crash now loses at
                    // most what was carried since, never a limit already recorded.
                    LOG.warn("{}: could not record the SA's usage: {}", u, failed.getMessage());
                }
            }
            events.addAll(table.pollEvents(index));
        }
        for (SaEvent e : events) {
            crossed.merge(e.sa(), e.limit().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    (a, b) -> a + ", " + b);
            if (e.limit().hard()) {
                LOG.error("{}: hard limit reached, the SA refuses traffic; replace its key files and restart", e);
            } else {
                LOG.warn("{}: soft limit reached, replace its key files soon", e);
            }
        }
        return events;
    }

    /**
     * Why tunnel {@code t} drops its traffic, if it does: it has no SA (its keys or their state
     * were refused at the start), or its outbound SA reached a hard limit.
     */
    synchronized java.util.Optional<String> whyDropping(NodeForwarding forwarding, NodeForwarding.TunnelInfo t) {
        int out = forwarding.tunnels().outboundSa(t.index());
        if (out == TunnelTable.NO_SA && settings.negotiated()) {
            // Not a fault: the tunnel waits for IKE (awaitingIke).
            return java.util.Optional.empty();
        }
        if (out == TunnelTable.NO_SA) {
            return java.util.Optional.of(failedClosed.getOrDefault(t.index(), "it has no SA"));
        }
        String limits = crossed.get(out);
        if (limits != null && limits.contains("hard")) {
            return java.util.Optional.of("its outbound SA reached a hard limit (" + limits
                    + "); replace its key files and restart");
        }
        return java.util.Optional.empty();
    }

    /** Whether tunnel {@code t} waits for IKE to bring its first keys (or new ones). */
    synchronized boolean awaitingIke(NodeForwarding forwarding, NodeForwarding.TunnelInfo t) {
        return settings.negotiated() && forwarding.tunnels().outboundSa(t.index()) == TunnelTable.NO_SA;
    }

    /** {@link #checkLimits(int)} for every tunnel, one after the other. */
    List<SaEvent> checkLimits() {
        List<SaEvent> events = new ArrayList<>();
        for (int tunnel : tunnels()) {
            events.addAll(checkLimits(tunnel));
        }
        return events;
    }

    /** The tunnels that have SAs, in index order. */
    List<Integer> tunnels() {
        return table.indexes().stream().map(i -> table.state(i).sa().tunnel()).distinct().sorted().toList();
    }

    /** The SA table; control thread only. */
    SaTable table() {
        return table;
    }

    SaTable.Snapshot snapshot() {
        return snapshot;
    }

    /** {@code show sa}: one line per SA with its counters. */
    String show() {
        return SaView.table(rows());
    }

    /** The SAs as {@code show sa} lists them, in index order; no key material. */
    synchronized List<SaView.SaRow> rows() {
        List<SaView.SaRow> rows = new ArrayList<>();
        for (int index : table.indexes()) {
            SaState st = table.state(index);
            Long next = null;
            if (st.outbound()) {
                for (SequenceReservation r : reservations) {
                    if (r.spi() == st.spi()) {
                        next = r.peekNext();
                    }
                }
            }
            rows.add(new SaView.SaRow(index, st.outbound() ? SaView.OUT : SaView.IN, SaKeys.spiText(st.spi()),
                    st.sa().tunnel(), st.counters().packets(), st.counters().bytes(), next,
                    crossed.getOrDefault(index, "")));
        }
        return List.copyOf(rows);
    }

    /**
     * Writes back the sequence numbers used and the replay windows' tops, so an orderly
     * restart skips none and refuses only what was accepted.
     */
    @Override
    public synchronized void close() throws IOException {
        for (SequenceReservation r : reservations) {
            r.close();
        }
        for (ReplayReservation r : replays) {
            r.close();
        }
        for (Map.Entry<Integer, UsageReservation> e : usage.entrySet()) {
            SaState st = table.state(e.getKey());
            e.getValue().close(st.counters().packets(), st.counters().bytes());
        }
        sequences.close();
    }
}
