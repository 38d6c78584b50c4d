package dev.cipherlane.benchmarks;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.JdkAesGcm;
import dev.cipherlane.ipsec.esp.Esp;
import dev.cipherlane.ipsec.esp.EspEncrypt;
import dev.cipherlane.ipsec.esp.EspOutbound;
import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.Arrays;

/**
 * What the ESP benchmarks share (setup only, not measured): one tunnel's SAs, its outbound SA
 * and an inbound SA with the same key and SPI, so this node decrypts what it encrypted; and
 * the packets, 1400-byte inner IPv4/UDP packets in IPIP (1420 bytes) and the ESP packets
 * {@code esp-encrypt} makes of them (1456 bytes: 16 bytes of SPI, sequence number and IV in
 * front, 2 bytes of padding, pad length, next header and the 16-byte ICV behind, RFC 4303
 * section 2 and RFC 4106 section 3).
 *
 * <p>The inbound SA has anti-replay off (window 0, RFC 4303 section 3.4.3 lets a receiver
 * choose that): the decrypt benchmarks open the same saved packets round after round, which a
 * window would rightly drop as replays. {@code esp-decrypt} still asks the window, under its
 * lock, before and after opening; only the bitmap is skipped.
 */
final class EspFixture {
    static final int SPI = 0x0000_1001;
    static final int INNER_BYTES = 1400;
    static final int IPIP_BYTES = 20 + INNER_BYTES;
    /** Encrypted payload: the inner packet, padding, pad length and next header. */
    static final int TEXT_BYTES = INNER_BYTES + Esp.padding(INNER_BYTES) + Esp.TRAILER;
    static final int ESP_BYTES = 20 + Esp.PAYLOAD + TEXT_BYTES + Esp.ICV;
    private static final int OUTER_SRC = 0xC0A8_0001;
    private static final int OUTER_DST = 0xC0A8_0002;

    final SaTable sas = new SaTable();
    final int outbound;
    final int inbound;

    EspFixture() {
        byte[] keyMaterial = keyMaterial();
        outbound = sas.add(SecurityAssociation.of(SPI, Direction.OUTBOUND, keyMaterial, 0));
        inbound = sas.add(SecurityAssociation.of(SPI, Direction.INBOUND, keyMaterial, 0).withReplayWindow(0));
        sas.publish();
    }

    /** Fixed, not secret: AES-256 key then 4-byte salt (RFC 4106 section 8.1). */
    static byte[] keyMaterial() {
        byte[] k = new byte[SecurityAssociation.KEYMAT_BYTES];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (i * 7 + 1);
        }
        return k;
    }

    /** The 32-byte AES key of {@link #keyMaterial()}. */
    static byte[] key() {
        return Arrays.copyOf(keyMaterial(), SecurityAssociation.KEY_BYTES);
    }

    /** The salt of {@link #keyMaterial()}, big-endian. */
    static int salt() {
        byte[] k = keyMaterial();
        return (k[32] & 0xFF) << 24 | (k[33] & 0xFF) << 16 | (k[34] & 0xFF) << 8 | k[35] & 0xFF;
    }

    /** {@code n} IPIP packets for the outbound SA, inner flows differing by source address. */
    int[] ipipPackets(PacketMemory mem, BufferCache cache, int n) {
        int[] bis = new int[n];
        for (int i = 0; i < n; i++) {
            bis[i] = PacketFactory.ipip4(mem, cache, OUTER_SRC, OUTER_DST, 0x0A01_0000 + i, 0x0A02_0001, INNER_BYTES);
            mem.saIndex(bis[i], outbound);
        }
        return bis;
    }

    /** {@code n} ESP packets of the outbound SA, made by esp-encrypt's own two steps. */
    int[] espPackets(PacketMemory mem, BufferCache cache, int n) {
        return espPackets(mem, cache, n, new JdkAesGcm());
    }

    /** The same, sealed with {@code engine}. */
    int[] espPackets(PacketMemory mem, BufferCache cache, int n, AeadEngine engine) {
        int[] bis = ipipPackets(mem, cache, n);
        SaState sa = sas.state(outbound);
        for (int bi : bis) {
            int arc = EspOutbound.encapsulate(mem, mem.data(), bi, sa);
            if (arc == EspEncrypt.Arcs.REWRITE.ordinal()) {
                arc = EspOutbound.seal(mem, mem.data(), bi, sa, engine);
            }
            if (arc != EspEncrypt.Arcs.REWRITE.ordinal() || mem.length(bi) != ESP_BYTES) {
                throw new IllegalStateException("esp-encrypt refused a benchmark packet: "
                        + (arc < 0 ? EspEncrypt.SPEC.errors().get(-1 - arc) : "length " + mem.length(bi)));
            }
        }
        return bis;
    }
}
