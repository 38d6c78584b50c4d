package dev.cipherlane.testbed;

import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.ipsec.esp.Esp;
import dev.cipherlane.stages.tunnel.TunnelHeader;

/**
 * How a {@link Lab} protects its tunnels: ESP on or off and, when on, the node settings
 * reference.conf's {@code ipsec} section takes. With ESP on the lab writes a mirrored static
 * key file per tunnel for every node ({@link LabKeys}). Immutable; {@link #ON} and
 * {@link #OFF} and the {@code with...} methods make variants.
 *
 * @param enabled          ipsec.enabled: ESP on every tunnel
 * @param udpEncapsulation ipsec.udp-encapsulation: ESP in UDP to port 4500 (RFC 3948)
 * @param engine           ipsec.engine, one of {@link IpsecSettings#ENGINES}
 * @param cryptoThreads    ipsec.crypto-threads, 0..{@value IpsecSettings#MAX_CRYPTO_THREADS}
 * @param sequenceBlock    ipsec.sequence-block: outbound sequence numbers reserved on disk at a time
 */
public record LabIpsec(boolean enabled, boolean udpEncapsulation, String engine, int cryptoThreads,
                       long sequenceBlock) {

    /** ESP with reference.conf's settings: protocol 50, the JDK's AES-GCM, crypto on the workers. */
    public static final LabIpsec ON = new LabIpsec(true, false, IpsecSettings.DEFAULTS.engine(),
            IpsecSettings.DEFAULTS.cryptoThreads(), IpsecSettings.DEFAULTS.sequenceBlock());
    /** Plain IPIP tunnels, as before ESP existed. */
    public static final LabIpsec OFF = new LabIpsec(false, false, IpsecSettings.DEFAULTS.engine(),
            IpsecSettings.DEFAULTS.cryptoThreads(), IpsecSettings.DEFAULTS.sequenceBlock());

    public LabIpsec {
        if (!IpsecSettings.ENGINES.contains(engine)) {
            throw new IllegalArgumentException("engine must be one of " + IpsecSettings.ENGINES + ", got " + engine);
        }
        if (cryptoThreads < 0 || cryptoThreads > IpsecSettings.MAX_CRYPTO_THREADS) {
            throw new IllegalArgumentException("cryptoThreads must be in 0.." + IpsecSettings.MAX_CRYPTO_THREADS
                    + ", got " + cryptoThreads);
        }
        if (sequenceBlock < IpsecSettings.MIN_SEQUENCE_BLOCK || sequenceBlock > IpsecSettings.MAX_SEQUENCE_BLOCK) {
            throw new IllegalArgumentException("sequenceBlock must be in " + IpsecSettings.MIN_SEQUENCE_BLOCK + ".."
                    + IpsecSettings.MAX_SEQUENCE_BLOCK + ", got " + sequenceBlock);
        }
    }

    public LabIpsec withUdpEncapsulation(boolean udp) {
        return new LabIpsec(enabled, udp, engine, cryptoThreads, sequenceBlock);
    }

    public LabIpsec withEngine(String e) {
        return new LabIpsec(enabled, udpEncapsulation, e, cryptoThreads, sequenceBlock);
    }

    public LabIpsec withCryptoThreads(int n) {
        return new LabIpsec(enabled, udpEncapsulation, engine, n, sequenceBlock);
    }

    public LabIpsec withSequenceBlock(long n) {
        return new LabIpsec(enabled, udpEncapsulation, engine, cryptoThreads, n);
    }

    /**
     * The most bytes a tunnel adds to a pod's packet: the outer IPv4 header of IPIP (RFC 2003
     * section 3), and with ESP its header, IV, up to 3 bytes of padding, trailer and ICV
     * (RFC 4303 section 2, RFC 4106 section 3), and the UDP header when encapsulated (RFC 3948).
     */
    public int tunnelOverhead() {
        return enabled ? Esp.tunnelOverhead(udpEncapsulation) : TunnelHeader.OUTER_LENGTH;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "no ESP (plain IPIP)";
        }
        return "ESP AES-GCM-256 (" + engine + (udpEncapsulation ? ", in UDP 4500" : ", protocol 50")
                + (cryptoThreads > 0 ? ", " + cryptoThreads + " crypto threads" : "") + ")";
    }
}
