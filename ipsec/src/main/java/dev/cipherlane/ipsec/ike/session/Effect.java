package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeSuite;

/**
 * What an {@link IkeSession} asks its owner to do after an input, in order. The owner (an
 * actor) sends, installs and removes; the session itself never touches a socket or the SA
 * table, which is what keeps it testable without threads.
 */
public sealed interface Effect {
    /**
     * One IKE message to send to the peer, without Non-ESP marker: the owner adds the marker
     * when it sends on port 4500 (RFC 3948 section 2, RFC 7296 section 2.23).
     */
    record Send(byte[] message) implements Effect {
        @Override
        public String toString() {
            return "Send[" + message.length + " bytes]";
        }
    }

    /** A new CHILD SA pair, both directions ready: install inbound before traffic uses outbound. */
    record InstallChildSa(ChildSa sa) implements Effect {}

    /** A CHILD SA pair that is gone: remove both directions. */
    record RemoveChildSa(ChildSa sa) implements Effect {}

    /** The IKE SA is authenticated (IKE_AUTH done). */
    record Established(long initiatorSpi, long responderSpi, IkeSuite suite, DhGroup group) implements Effect {}

    /**
     * The outcome of NAT detection in IKE_SA_INIT (RFC 7296 section 2.23). When either end is
     * behind a NAT the owner floats to port 4500 and UDP encapsulation for ESP.
     */
    record NatStatus(boolean localBehindNat, boolean peerBehindNat) implements Effect {
        public boolean floatTo4500() {
            return localBehindNat || peerBehindNat;
        }
    }

    /**
     * The authenticated peer sent INITIAL_CONTACT (section 2.4): it holds no other IKE SA with
     * us, so the owner may close any other session it still has with this peer.
     */
    record PeerInitialContact() implements Effect {}

    /** The IKE SA was replaced by a rekey (section 2.18); these are the new SA's SPIs. */
    record IkeRekeyed(long initiatorSpi, long responderSpi) implements Effect {}

    /** The session is over; no further input does anything. */
    record Closed(String reason) implements Effect {}
}
