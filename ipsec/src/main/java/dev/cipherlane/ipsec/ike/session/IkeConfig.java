package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeSuite;
import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything one IKE session is told by its owner: who the two ends are, the secret, what to
 * propose, and the timers. The supervisor builds it from typed settings; nothing here reads a
 * file.
 *
 * @param local           our address and port as we send from it; also the source hashed into
 *                        NAT_DETECTION_SOURCE_IP (section 2.23)
 * @param peer            the peer's address and port as we send to it
 * @param localId         our identity; by default our address
 * @param remoteId        the identity the peer must show, or empty to accept any (the PSK is
 *                        per peer, so it already binds the peer)
 * @param ikeSuites       IKE SA ciphers in order of preference, one proposal each
 * @param groups          Diffie-Hellman groups in order of preference; the first goes in KE
 * @param offerEsn        offer extended sequence numbers for ESP; agreed only if both want them
 * @param childPfs        the group of a fresh KE in CHILD SA rekeys, empty for none
 * @param localSelectors  traffic selectors of our end (TSi when we initiate)
 * @param remoteSelectors traffic selectors of the peer's end
 * @param retransmitBase  first retransmission timeout; it doubles up to {@code retransmitCap}
 * @param retransmitTries transmissions of one request before giving up (the first included)
 * @param liveness        quiet time after which an empty INFORMATIONAL checks the peer
 * @param ikeLifetime     when an IKE SA is rekeyed (its soft lifetime), less up to {@code jitter} at
 *                        random so that both ends do not rekey at once; it expires (hard) 10% later
 * @param childLifetime   the same for a CHILD SA
 * @param jitter          the fraction by which soft lifetimes come early, at random
 * @param initialContact  send INITIAL_CONTACT in IKE_AUTH: no other SA with this peer is live
 * @param maxMessageLength longest datagram accepted
 */
public record IkeConfig(
        InetSocketAddress local,
        InetSocketAddress peer,
        PreSharedKey psk,
        Identity localId,
        Optional<Identity> remoteId,
        List<IkeSuite> ikeSuites,
        List<DhGroup> groups,
        boolean offerEsn,
        Optional<DhGroup> childPfs,
        List<TrafficSelector> localSelectors,
        List<TrafficSelector> remoteSelectors,
        Duration retransmitBase,
        Duration retransmitCap,
        int retransmitTries,
        Duration liveness,
        Duration ikeLifetime,
        Duration childLifetime,
        double jitter,
        boolean initialContact,
        int maxMessageLength) {

    public static final Duration DEFAULT_RETRANSMIT_BASE = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRANSMIT_CAP = Duration.ofSeconds(8);
    public static final int DEFAULT_RETRANSMIT_TRIES = 6;
    public static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IKE_LIFETIME = Duration.ofHours(4);
    public static final Duration DEFAULT_CHILD_LIFETIME = Duration.ofHours(1);
    public static final double DEFAULT_JITTER = 0.10;
    /** The largest UDP payload; IKE messages above a path MTU are rare but legal (section 2). */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 65_535;

    public IkeConfig {
        ikeSuites = List.copyOf(ikeSuites);
        groups = List.copyOf(groups);
        localSelectors = List.copyOf(localSelectors);
        remoteSelectors = List.copyOf(remoteSelectors);
        if (ikeSuites.isEmpty() || groups.isEmpty()) {
            throw new IllegalArgumentException("at least one IKE suite and one DH group are needed");
        }
        if (localSelectors.isEmpty() || remoteSelectors.isEmpty()) {
            throw new IllegalArgumentException("traffic selectors are needed on both sides");
        }
        if (retransmitTries < 1) {
            throw new IllegalArgumentException("retransmitTries must be at least 1");
        }
        if (maxMessageLength < 28 || maxMessageLength > 65_535) {
            throw new IllegalArgumentException("maxMessageLength must hold an IKE header and fit UDP: 28..65535");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1)");
        }
        if (retransmitBase.isNegative() || retransmitBase.isZero() || retransmitCap.compareTo(retransmitBase) < 0) {
            throw new IllegalArgumentException("retransmit base must be positive and at most the cap");
        }
    }

    public static Builder builder(InetSocketAddress local, InetSocketAddress peer, PreSharedKey psk) {
        return new Builder(local, peer, psk);
    }

    /** Defaults: Cipherlane's proposals (DESIGN), address identities, the timers above. */
    public static final class Builder {
        private final InetSocketAddress local;
        private final InetSocketAddress peer;
        private final PreSharedKey psk;
        private Identity localId;
        private Optional<Identity> remoteId = Optional.empty();
        private List<IkeSuite> ikeSuites = List.of(IkeSuite.AES_GCM_16_256, IkeSuite.AES_CBC_256_HMAC_SHA2_256_128);
        private List<DhGroup> groups = List.of(DhGroup.CURVE25519, DhGroup.ECP_256, DhGroup.MODP_2048);
        private boolean offerEsn;
        private Optional<DhGroup> childPfs = Optional.empty();
        private List<TrafficSelector> localSelectors;
        private List<TrafficSelector> remoteSelectors;
        private Duration retransmitBase = DEFAULT_RETRANSMIT_BASE;
        private Duration retransmitCap = DEFAULT_RETRANSMIT_CAP;
        private int retransmitTries = DEFAULT_RETRANSMIT_TRIES;
        private Duration liveness = DEFAULT_LIVENESS;
        private Duration ikeLifetime = DEFAULT_IKE_LIFETIME;
        private Duration childLifetime = DEFAULT_CHILD_LIFETIME;
        private double jitter = DEFAULT_JITTER;
        private boolean initialContact = true;
        private int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;

        private Builder(InetSocketAddress local, InetSocketAddress peer, PreSharedKey psk) {
            this.local = local;
            this.peer = peer;
            this.psk = psk;
            this.localId = Identity.of(local.getAddress());
        }

        public Builder localId(Identity id) { this.localId = id; return this; }
        public Builder remoteId(Identity id) { this.remoteId = Optional.of(id); return this; }
        public Builder ikeSuites(IkeSuite... s) { this.ikeSuites = List.of(s); return this; }
        public Builder groups(DhGroup... g) { this.groups = List.of(g); return this; }
        public Builder offerEsn(boolean esn) { this.offerEsn = esn; return this; }
        public Builder childPfs(DhGroup g) { this.childPfs = Optional.ofNullable(g); return this; }
        public Builder selectors(List<TrafficSelector> ours, List<TrafficSelector> theirs) {
            this.localSelectors = ours;
            this.remoteSelectors = theirs;
            return this;
        }
        public Builder retransmit(Duration base, Duration cap, int tries) {
            this.retransmitBase = base;
            this.retransmitCap = cap;
            this.retransmitTries = tries;
            return this;
        }
        public Builder liveness(Duration d) { this.liveness = d; return this; }
        public Builder lifetimes(Duration ike, Duration child) {
            this.ikeLifetime = ike;
            this.childLifetime = child;
            return this;
        }
        public Builder jitter(double j) { this.jitter = j; return this; }
        public Builder initialContact(boolean b) { this.initialContact = b; return this; }
        public Builder maxMessageLength(int n) { this.maxMessageLength = n; return this; }

        public IkeConfig build() {
            return new IkeConfig(local, peer, psk, localId, remoteId, ikeSuites, groups, offerEsn, childPfs,
                    localSelectors, remoteSelectors, retransmitBase, retransmitCap, retransmitTries, liveness,
                    ikeLifetime, childLifetime, jitter, initialContact, maxMessageLength);
        }
    }
}
