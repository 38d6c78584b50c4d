package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.TestEngines;
import dev.cipherlane.ipsec.crypto.AeadKey;
import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.ipsec.sa.SequenceSource;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.List;

/**
 * A node talking to itself through one tunnel: an outbound SA and the inbound SA with the same
 * SPI and keys in one table, and the two stages over it, so what esp-encrypt sends esp-decrypt
 * must take back.
 */
public final class EspLoop {
    public static final int SPI = 0x0000_C1A0;
    public static final int TUNNEL = 3;

    public final SaTable table = new SaTable();
    public final List<AeadEngine> engines;
    public final SecurityAssociation outboundSa;
    public final SecurityAssociation inboundSa;
    public final int outbound;
    public final int inbound;
    public final AeadEngine testEngine;

    public EspLoop(String engine, boolean esn, UdpEncapsulation udp) {
        this(engine, esn, udp, SecurityAssociation.DEFAULT_REPLAY_WINDOW, null);
    }

    public EspLoop(String engine, boolean esn, UdpEncapsulation udp, int window, SequenceSource sequence) {
        TestEngines.assumeAvailable(engine);
        this.engines = AeadEngines.perWorker(engine, 1);
        this.testEngine = AeadEngines.create(engine);
        byte[] km = keyMaterial(SPI);
        outboundSa = SecurityAssociation.of(SPI, Direction.OUTBOUND, km, TUNNEL).withEsn(esn).withUdp(udp);
        inboundSa = SecurityAssociation.of(SPI, Direction.INBOUND, km, TUNNEL).withEsn(esn).withReplayWindow(window);
        outbound = table.add(outboundSa, sequence);
        inbound = table.add(inboundSa);
        table.publish();
    }

    /** Distinct, recognisable key material per SPI: 36 bytes, key then salt. */
    public static byte[] keyMaterial(int spi) {
        byte[] k = new byte[SecurityAssociation.KEYMAT_BYTES];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (spi * 31 + i * 17 + 5);
        }
        return k;
    }

    /** The key of the loop's SAs, for sealing test packets by hand. */
    public AeadKey key() {
        return table.state(inbound).key();
    }

    public EspEncrypt encrypt() {
        return new EspEncrypt(new EspStageParams(table::current, engines));
    }

    public EspDecrypt decrypt() {
        return new EspDecrypt(new EspStageParams(table::current, engines));
    }

    /** A harness with esp-encrypt only. */
    public StageHarness encryptHarness() {
        return new StageHarness(encrypt());
    }

    /** A harness with esp-decrypt only. */
    public StageHarness decryptHarness() {
        return new StageHarness(decrypt());
    }

    /** esp-encrypt wired into esp-decrypt. */
    public StageHarness roundTripHarness() {
        return new StageHarness(encrypt(), decrypt()).connect(EspEncrypt.NAME, "rewrite", EspDecrypt.NAME);
    }

    /** Injects an IPIP packet for the outbound SA. */
    public int outgoing(StageHarness h, byte[] ipip) {
        int bi = h.packet(ipip, 1);
        h.memory().saIndex(bi, outbound);
        return bi;
    }

    /** A sealed ESP packet of the loop's inbound SA, inside an outer IPv4 header. */
    public byte[] incoming(long seq, byte[] payload) {
        byte[] esp = EspPackets.esp(testEngine, key(), SPI, seq, inboundSa.esn(), seq, payload);
        return EspPackets.outer(esp);
    }
}
