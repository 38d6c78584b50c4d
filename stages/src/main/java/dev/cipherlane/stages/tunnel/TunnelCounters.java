package dev.cipherlane.stages.tunnel;

/**
 * Packets and bytes per tunnel and direction, for {@code show tunnels}. Each worker writes its
 * own row with plain stores (one writer per row, as VPP's per-thread combined counters), so
 * counting costs no atomic operation; readers sum the rows and may see a count a few packets
 * old, never a torn one (longs are written whole on 64-bit JVMs, and the rows are read for
 * display only). Rows are padded apart so two workers never share a cache line.
 */
public final class TunnelCounters {
    private static final int TX_PACKETS = 0;
    private static final int TX_BYTES = 1;
    private static final int RX_PACKETS = 2;
    private static final int RX_BYTES = 3;
    private static final int PER_TUNNEL = 4;
    /** 128 bytes of longs between rows: two cache lines, against adjacent-line prefetch. */
    private static final int PAD = 16;

    private final long[][] rows;
    private final int capacity;

    /**
     * @param workers  worker threads that count
     * @param capacity tunnel indexes counted, 0..capacity-1; others are ignored
     */
    public TunnelCounters(int workers, int capacity) {
        if (workers < 1 || capacity < 0) {
            throw new IllegalArgumentException("tunnel counters: workers " + workers + ", capacity " + capacity);
        }
        this.capacity = capacity;
        rows = new long[workers][];
        for (int w = 0; w < workers; w++) {
            rows[w] = new long[PAD + capacity * PER_TUNNEL + PAD];
        }
    }

    public int capacity() {
        return capacity;
    }

    /** A packet of {@code bytes} entered {@code tunnel} on {@code worker}. */
    public void transmitted(int worker, int tunnel, int bytes) {
        add(worker, tunnel, TX_PACKETS, bytes);
    }

    /** A packet of {@code bytes} left {@code tunnel} on {@code worker}. */
    public void received(int worker, int tunnel, int bytes) {
        add(worker, tunnel, RX_PACKETS, bytes);
    }

    private void add(int worker, int tunnel, int packets, int bytes) {
        if (tunnel < 0 || tunnel >= capacity || worker < 0 || worker >= rows.length) {
            return;
        }
        long[] row = rows[worker];
        int at = PAD + tunnel * PER_TUNNEL + packets;
        row[at]++;
        row[at + 1] += bytes;
    }

    public long txPackets(int tunnel) {
        return sum(tunnel, TX_PACKETS);
    }

    public long txBytes(int tunnel) {
        return sum(tunnel, TX_BYTES);
    }

    public long rxPackets(int tunnel) {
        return sum(tunnel, RX_PACKETS);
    }

    public long rxBytes(int tunnel) {
        return sum(tunnel, RX_BYTES);
    }

    private long sum(int tunnel, int field) {
        if (tunnel < 0 || tunnel >= capacity) {
            return 0;
        }
        long total = 0;
        for (long[] row : rows) {
            total += row[PAD + tunnel * PER_TUNNEL + field];
        }
        return total;
    }
}
