package dev.cipherlane.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * ESP protection of the tunnels (RFC 4303, AES-GCM-256 per RFC 4106), with static keys until
 * IKEv2 negotiates them. With it on, every tunnel is protected and nothing leaves one in
 * clear: a tunnel whose key file is missing drops its traffic.
 *
 * @param enabled          ipsec.enabled
 * @param keyDir           ipsec.key-dir: one key file per tunnel, {@code <peer>.<tunnel>.key},
 *                         readable by us alone
 * @param engine           ipsec.engine: the AES-GCM implementation, one of {@link #ENGINES};
 *                         the dataplane resolves "auto" once at startup
 * @param cryptoThreads    ipsec.crypto-threads: threads that encrypt and decrypt beside the
 *                         workers, so one SA is not capped at one core; 0 for none
 * @param replayWindow     ipsec.replay-window: anti-replay window in packets, a power of two
 *                         in 64..4096, or 0 for none
 * @param udpEncapsulation ipsec.udp-encapsulation: ESP in UDP on port 4500 (RFC 3948)
 * @param sequenceBlock    ipsec.sequence-block: sequence numbers reserved on disk at a time
 * @param lifetime         ipsec.lifetime: soft and hard limits on each SA's bytes, packets and time
 * @param keys             ipsec.keys: where the SAs' keys come from, one of {@link #KEY_SOURCES}
 * @param ike              ipsec.ike: the IKEv2 settings, used with {@code keys = "ike"}
 */
public record IpsecSettings(boolean enabled, Path keyDir, String engine, int cryptoThreads, int replayWindow,
                            boolean udpEncapsulation, long sequenceBlock, IpsecLifetime lifetime, String keys,
                            IkeSettings ike) {
    /** Static key files (a test mode), or IKEv2 with a pre-shared key. */
    public static final String STATIC = "static";
    public static final String IKE = "ike";
    public static final List<String> KEY_SOURCES = List.of(STATIC, IKE);
    /** "auto" first: not an engine but the rule ipsec-mb if it loads and passes its self-test, else jdk. */
    public static final List<String> ENGINES = List.of("auto", "jdk", "bouncycastle", "ipsec-mb");
    public static final int MAX_CRYPTO_THREADS = 16;
    public static final int MIN_REPLAY_WINDOW = 64;
    public static final int MAX_REPLAY_WINDOW = 4096;
    public static final long MIN_SEQUENCE_BLOCK = 16;
    public static final long MAX_SEQUENCE_BLOCK = 1L << 30;

    /** reference.conf's ipsec, for settings built in code; a test checks the two agree. */
    public static final IpsecSettings DEFAULTS = new IpsecSettings(false, Path.of("/etc/cipherlane/keys"), "auto", 0,
            1024, true, 1L << 20, IpsecLifetime.NONE, STATIC, IkeSettings.DEFAULTS);

    public IpsecSettings {
        Objects.requireNonNull(keyDir, "keyDir");
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(ike, "ike");
        if (!KEY_SOURCES.contains(keys)) {
            throw new IllegalArgumentException("ipsec keys " + keys + " is not one of " + KEY_SOURCES);
        }
        if (!keyDir.isAbsolute()) {
            throw new IllegalArgumentException("ipsec key dir " + keyDir + " is not absolute");
        }
        if (!ENGINES.contains(engine)) {
            throw new IllegalArgumentException("ipsec engine " + engine + " is not one of " + ENGINES);
        }
        Bounds.check("ipsec.crypto-threads", cryptoThreads, 0, MAX_CRYPTO_THREADS);
        if (!isValidReplayWindow(replayWindow)) {
            throw new IllegalArgumentException("ipsec replay window " + replayWindow
                    + " is not 0 or a power of two in " + MIN_REPLAY_WINDOW + ".." + MAX_REPLAY_WINDOW);
        }
        if (sequenceBlock < MIN_SEQUENCE_BLOCK || sequenceBlock > MAX_SEQUENCE_BLOCK) {
            throw new IllegalArgumentException("ipsec sequence block " + sequenceBlock + " outside "
                    + MIN_SEQUENCE_BLOCK + ".." + MAX_SEQUENCE_BLOCK);
        }
    }

    /** With static key files. */
    public IpsecSettings(boolean enabled, Path keyDir, String engine, int cryptoThreads, int replayWindow,
                         boolean udpEncapsulation, long sequenceBlock, IpsecLifetime lifetime) {
        this(enabled, keyDir, engine, cryptoThreads, replayWindow, udpEncapsulation, sequenceBlock, lifetime, STATIC,
                IkeSettings.DEFAULTS);
    }

    /** Whether IKEv2 negotiates the keys. */
    public boolean negotiated() {
        return keys.equals(IKE);
    }

    /** Without lifetime limits, as before they could be set. */
    public IpsecSettings(boolean enabled, Path keyDir, String engine, int cryptoThreads, int replayWindow,
                         boolean udpEncapsulation, long sequenceBlock) {
        this(enabled, keyDir, engine, cryptoThreads, replayWindow, udpEncapsulation, sequenceBlock, IpsecLifetime.NONE);
    }

    public static boolean isValidReplayWindow(int packets) {
        return packets == 0 || packets >= MIN_REPLAY_WINDOW && packets <= MAX_REPLAY_WINDOW
                && Integer.bitCount(packets) == 1;
    }

    /** The key file of tunnel {@code tunnel} (counting from 0) to {@code peer}. */
    public Path keyFile(String peer, int tunnel) {
        return keyDir.resolve(peer + "." + tunnel + ".key");
    }
}
