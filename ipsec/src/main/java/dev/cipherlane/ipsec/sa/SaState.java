package dev.cipherlane.ipsec.sa;

import dev.cipherlane.ipsec.crypto.AeadKey;

/**
 * An SA as the data path uses it: the fields the stages read per packet, copied out of the
 * immutable {@link SecurityAssociation} so they are one load away, and the mutable state that
 * lives as long as the SA does: the outbound {@link SequenceSource} or the inbound
 * {@link ReplayWindow}, and the {@link SaCounters}. Made by {@link SaTable}, shared by all
 * workers through its snapshots.
 */
public final class SaState {
    private final int index;
    private final SecurityAssociation sa;
    private final AeadKey key;
    private final int spi;
    private final boolean outbound;
    private final boolean esn;
    private final boolean udp;
    private final int udpSourcePort;
    private final int udpDestinationPort;
    private final SequenceSource sequence;
    private final ReplayWindow window;
    private final SaCounters counters;
    /** When the SA's key came into use, on the table's clock; earlier than now for a resumed SA. */
    private volatile long installedNanos;

    SaState(int index, SecurityAssociation sa, SequenceSource sequence, ReplayWindow window, long installedNanos) {
        this.index = index;
        this.sa = sa;
        byte[] k = sa.key();
        this.key = AeadKey.of(k, sa.salt());
        java.util.Arrays.fill(k, (byte) 0);
        this.spi = sa.spi();
        this.outbound = !sa.inbound();
        this.esn = sa.esn();
        this.udp = sa.udp().enabled();
        this.udpSourcePort = sa.udp().sourcePort();
        this.udpDestinationPort = sa.udp().destinationPort();
        this.sequence = outbound ? (sequence != null ? sequence : new OutboundSequence(esn)) : null;
        this.window = outbound ? null : window != null ? window : new ReplayWindow(sa.replayWindow(), esn);
        this.counters = new SaCounters(sa.limits());
        this.installedNanos = installedNanos;
    }

    public int index() {
        return index;
    }

    public SecurityAssociation sa() {
        return sa;
    }

    public AeadKey key() {
        return key;
    }

    public int spi() {
        return spi;
    }

    public boolean outbound() {
        return outbound;
    }

    public boolean esn() {
        return esn;
    }

    public boolean udpEncapsulated() {
        return udp;
    }

    public int udpSourcePort() {
        return udpSourcePort;
    }

    public int udpDestinationPort() {
        return udpDestinationPort;
    }

    /** The outbound sequence source; null for an inbound SA. */
    public SequenceSource sequence() {
        return sequence;
    }

    /** The inbound anti-replay window; null for an outbound SA. */
    public ReplayWindow window() {
        return window;
    }

    public SaCounters counters() {
        return counters;
    }

    /** False once a hard limit was reached. */
    public boolean usable() {
        return counters.usable();
    }

    /** The SA left the table: its key is closed ({@link AeadKey#close}). */
    void close() {
        key.close();
    }

    long installedNanos() {
        return installedNanos;
    }

    void installedNanos(long nanos) {
        installedNanos = nanos;
    }

    @Override
    public String toString() {
        return "sa " + index + ": " + sa + ", " + counters;
    }
}
