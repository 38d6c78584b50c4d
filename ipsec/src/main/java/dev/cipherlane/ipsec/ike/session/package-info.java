/**
 * The IKEv2 session engine (RFC 7296): one {@link dev.cipherlane.ipsec.ike.session.IkeSession}
 * per tunnel, a single-threaded state machine with no sockets, threads or clock, so that it is
 * tested by wiring two of them back to back with a fake clock.
 *
 * <p>Inputs: {@code start}, {@code receive}, {@code tick}, {@code rekeyChild}, {@code rekeyIke},
 * {@code deleteChild} and {@code delete}, each with the time as {@code long} nanoseconds.
 * Outputs: the list of {@link dev.cipherlane.ipsec.ike.session.Effect}s each input returns
 * (send a message, install or remove a CHILD SA pair, established, NAT status, peer's initial
 * contact, IKE SA rekeyed, closed), and {@link dev.cipherlane.ipsec.ike.session.IkeCounters}
 * for {@code show ike}. Settings come in an {@link dev.cipherlane.ipsec.ike.session.IkeConfig};
 * randomness from the {@link java.security.SecureRandom} the session is given; responder
 * cookies from a node-wide {@link dev.cipherlane.ipsec.ike.session.CookieJar}; an owner with
 * several sessions routes datagrams by {@link dev.cipherlane.ipsec.ike.session.IkeRoute}.
 *
 * <p>Inside, one file per exchange: {@code Handshake} (IKE_SA_INIT and IKE_AUTH),
 * {@code ChildRekey} and {@code IkeRekey} (CREATE_CHILD_SA), and {@code IkeSession} itself for
 * dispatch, message IDs, INFORMATIONAL and timers, all sharing one {@code SessionState}.
 * {@code ChildNegotiation}, {@code IkeProposals}, {@code EspProposals}, {@code Selectors},
 * {@code NatDetection} and {@code SkCodec} are pure functions.
 *
 * <p>Not done here: IKE fragmentation (RFC 7383), MOBIKE, certificates and EAP, configuration
 * payloads, more than one CHILD SA per IKE SA (requests for new ones get NO_ADDITIONAL_SAS),
 * a retry in another group when a CHILD SA rekey is answered with INVALID_KE_PAYLOAD (it
 * counts as a refused rekey and is tried again later). When both ends start at once, the end
 * with the lower nonce gives up its IKE_SA_INIT and answers the peer's, so one session per
 * tunnel may be started from either side.
 */
package dev.cipherlane.ipsec.ike.session;
