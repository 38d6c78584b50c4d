package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeKeys;
import dev.cipherlane.ipsec.ike.keys.IkeRole;
import dev.cipherlane.ipsec.ike.keys.SkProtection;
import dev.cipherlane.ipsec.ike.message.IkeHeader;
import java.util.ArrayDeque;

/**
 * One IKE SA: its SPIs, keys and message ID state (RFC 7296 section 2.2). Message IDs run
 * separately in each direction: {@code nextRequestId} for the requests we send,
 * {@code peerNextRequestId} for the ones we expect, and the last response we sent is kept to
 * answer a retransmission of its request (section 2.1).
 */
final class IkeSa {
    /** Our role when this SA was made; after a rekey, whoever started it (section 2.18). */
    final IkeRole role;
    final long spiI;
    long spiR;
    IkeKeys keys;
    SkProtection sk;
    DhGroup group;
    long nextRequestId;
    long peerNextRequestId;
    byte[] lastResponse;
    int lastResponseExchange;
    Retransmission pending;
    final ArrayDeque<Job> jobs = new ArrayDeque<>();
    long lastHeard;
    long softAt = Long.MAX_VALUE;
    long hardAt = Long.MAX_VALUE;
    boolean rekeyQueued;
    /** When a non-current SA is forgotten if the peer never deletes it. */
    long retireBy = Long.MAX_VALUE;

    IkeSa(IkeRole role, long spiI, long spiR) {
        this.role = role;
        this.spiI = spiI;
        this.spiR = spiR;
    }

    void keyed(IkeKeys keys, DhGroup group) {
        this.keys = keys;
        this.group = group;
        this.sk = SkProtection.of(keys, role);
    }

    boolean matches(IkeHeader h) {
        return h.initiatorSpi() == spiI && h.responderSpi() == spiR;
    }

    /** Section 3.1: the Initiator flag marks messages from the SA's original initiator. */
    boolean fromPeer(IkeHeader h) {
        return h.initiator() == (role == IkeRole.RESPONDER);
    }

    int requestFlags() {
        return role == IkeRole.INITIATOR ? IkeHeader.FLAG_INITIATOR : 0;
    }

    int responseFlags() {
        return requestFlags() | IkeHeader.FLAG_RESPONSE;
    }

    void destroy() {
        if (keys != null) {
            keys.destroy();
        }
        if (sk != null) {
            sk.destroy();
        }
    }

    @Override
    public String toString() {
        return String.format("IKE SA %016x/%016x %s", spiI, spiR, role);
    }
}
