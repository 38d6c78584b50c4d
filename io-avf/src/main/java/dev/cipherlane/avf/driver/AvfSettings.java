package dev.cipherlane.avf.driver;

import dev.cipherlane.net.MacAddress;
import java.time.Duration;
import java.util.Arrays;

/**
 * How the driver sets up its VF. Checked when made: a bad value says what was expected.
 *
 * @param queues        queue pairs wanted; the PF may grant fewer
 * @param rxRingSize    receive descriptors per queue: a multiple of 32 (AVF 1.0 pg79), 64..4096
 * @param txRingSize    transmit descriptors per queue: a multiple of 8, 64..4096
 * @param rxBufferSize  bytes per receive buffer: a multiple of 128, 1024..16256; longer
 *                      frames span several descriptors
 * @param maxFrameSize  the longest frame (without FCS) received or sent, 64..9728
 * @param mac           the address to filter on; null takes the PF's default for the VF
 * @param promiscuous   receive every unicast and multicast frame, not just ours (the PF
 *                      allows it only for a trusted VF)
 * @param rssKey        the Toeplitz key, as long as the PF's key size; null for {@link #DEFAULT_RSS_KEY}
 * @param rssLut        queue per LUT entry; null spreads entries round-robin over the queues
 * @param refillBatch   receive descriptors given back at a time, a multiple of 8 (the
 *                      device fetches them in eights)
 */
public record AvfSettings(int queues, int rxRingSize, int txRingSize, int rxBufferSize, int maxFrameSize,
                          MacAddress mac, boolean promiscuous, byte[] rssKey, byte[] rssLut, int refillBatch,
                          Duration replyTimeout, Duration resetTimeout, Duration statsInterval,
                          Duration txHangTimeout, int rxStallLimit) {

    /** A fixed key: the 40 bytes of Microsoft's RSS verification key, then 12 more. */
    public static final byte[] DEFAULT_RSS_KEY = hex(
            "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa"
                    + "d1b1a8a3c4e5f60718293a4b");

    public static final AvfSettings DEFAULT = new AvfSettings(4, 512, 512, 2048, 9728, null, false, null, null, 32,
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2), 3);

    public AvfSettings {
        check(queues >= 1 && queues <= 16, "queues must be 1..16", queues);
        check(rxRingSize >= 64 && rxRingSize <= 4096 && rxRingSize % 32 == 0,
                "rxRingSize must be a multiple of 32 in 64..4096", rxRingSize);
        check(txRingSize >= 64 && txRingSize <= 4096 && txRingSize % 8 == 0,
                "txRingSize must be a multiple of 8 in 64..4096", txRingSize);
        check(rxBufferSize >= 1024 && rxBufferSize <= 16256 && rxBufferSize % 128 == 0,
                "rxBufferSize must be a multiple of 128 in 1024..16256", rxBufferSize);
        check(maxFrameSize >= 64 && maxFrameSize <= 9728, "maxFrameSize must be 64..9728", maxFrameSize);
        check(refillBatch >= 8 && refillBatch % 8 == 0 && refillBatch <= rxRingSize / 2,
                "refillBatch must be a multiple of 8, at most half the rx ring", refillBatch);
        check(rxStallLimit >= 1, "rxStallLimit must be at least 1", rxStallLimit);
        if (mac != null && mac.isMulticast()) {
            throw new IllegalArgumentException("mac must be a unicast address, got " + mac);
        }
        rssKey = rssKey == null ? null : rssKey.clone();
        rssLut = rssLut == null ? null : rssLut.clone();
        for (Duration d : new Duration[] {replyTimeout, resetTimeout, statsInterval, txHangTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts and intervals must be positive, got " + d);
            }
        }
    }

    private static void check(boolean ok, String expected, int got) {
        if (!ok) {
            throw new IllegalArgumentException(expected + ", got " + got);
        }
    }

    public AvfSettings withQueues(int n) {
        return new AvfSettings(n, rxRingSize, txRingSize, rxBufferSize, maxFrameSize, mac, promiscuous, rssKey, rssLut,
                refillBatch, replyTimeout, resetTimeout, statsInterval, txHangTimeout, rxStallLimit);
    }

    public AvfSettings withRings(int rx, int tx, int rxBuffer) {
        return new AvfSettings(queues, rx, tx, rxBuffer, maxFrameSize, mac, promiscuous, rssKey, rssLut,
                refillBatch, replyTimeout, resetTimeout, statsInterval, txHangTimeout, rxStallLimit);
    }

    public AvfSettings withMaxFrame(int bytes) {
        return new AvfSettings(queues, rxRingSize, txRingSize, rxBufferSize, bytes, mac, promiscuous, rssKey, rssLut,
                refillBatch, replyTimeout, resetTimeout, statsInterval, txHangTimeout, rxStallLimit);
    }

    public AvfSettings withMac(MacAddress m, boolean promisc) {
        return new AvfSettings(queues, rxRingSize, txRingSize, rxBufferSize, maxFrameSize, m, promisc, rssKey, rssLut,
                refillBatch, replyTimeout, resetTimeout, statsInterval, txHangTimeout, rxStallLimit);
    }

    public AvfSettings withRss(byte[] key, byte[] lut) {
        return new AvfSettings(queues, rxRingSize, txRingSize, rxBufferSize, maxFrameSize, mac, promiscuous, key, lut,
                refillBatch, replyTimeout, resetTimeout, statsInterval, txHangTimeout, rxStallLimit);
    }

    public AvfSettings withRefillBatch(int batch) {
        return new AvfSettings(queues, rxRingSize, txRingSize, rxBufferSize, maxFrameSize, mac, promiscuous, rssKey, rssLut,
                batch, replyTimeout, resetTimeout, statsInterval, txHangTimeout, rxStallLimit);
    }

    public AvfSettings withTimeouts(Duration reply, Duration reset, Duration stats, Duration txHang) {
        return new AvfSettings(queues, rxRingSize, txRingSize, rxBufferSize, maxFrameSize, mac, promiscuous, rssKey, rssLut,
                refillBatch, reply, reset, stats, txHang, rxStallLimit);
    }

    public byte[] rssKeyOrDefault() {
        return (rssKey == null ? DEFAULT_RSS_KEY : rssKey).clone();
    }

    @Override
    public byte[] rssKey() {
        return rssKey == null ? null : rssKey.clone();
    }

    @Override
    public byte[] rssLut() {
        return rssLut == null ? null : rssLut.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AvfSettings s && toString().equals(s.toString())
                && Arrays.equals(rssKey, s.rssKey) && Arrays.equals(rssLut, s.rssLut);
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "AvfSettings[queues=" + queues + ", rxRingSize=" + rxRingSize + ", txRingSize=" + txRingSize
                + ", rxBufferSize=" + rxBufferSize + ", maxFrameSize=" + maxFrameSize + ", mac=" + mac
                + ", promiscuous=" + promiscuous + ", rssKey=" + (rssKey == null ? "default" : rssKey.length + " bytes")
                + ", rssLut=" + (rssLut == null ? "round-robin" : Arrays.toString(rssLut))
                + ", refillBatch=" + refillBatch + ", replyTimeout=" + replyTimeout + ", resetTimeout=" + resetTimeout
                + ", statsInterval=" + statsInterval + ", txHangTimeout=" + txHangTimeout
                + ", rxStallLimit=" + rxStallLimit + "]";
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
