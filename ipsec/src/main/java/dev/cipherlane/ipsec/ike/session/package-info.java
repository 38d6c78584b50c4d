/**
 * The IKEv2 session engine (RFC 7296): one {@link dev.cipherlane.ipsec.ike.session.IkeSession}
 * per tunnel, a single-threaded state machine with no sockets, threads or clock, so that it is
 * tested by wiring two of them back to back with a fake clock.
 *
 * <p>Inputs: {@code start}, {@code receive}, {@code tick}, {@code rekeyChild}, {@code rekeyIke},
 * {@code deleteChild} and {@code delete}, each with the time as {@code long} nanoseconds.
 * Outputs: the list of {@link dev.cipherlane.ipsec.ike.session.Effect}s each input returns
 * (send a message, install or remove a CHILD SA pair, established, NAT status, IKE SA rekeyed,
 * closed), and {@link dev.cipherlane.ipsec.ike.session.IkeCounters} for {@code show ike}.
 * Settings come in an {@link dev.cipherlane.ipsec.ike.session.IkeConfig}; randomness from the
 * {@link java.security.SecureRandom} the session is given; responder cookies from a node-wide
 * {@link dev.cipherlane.ipsec.ike.session.CookieJar}.
 *
 * <p>Built on the codec ({@code ike.message}) and the key schedule ({@code ike.keys}); the
 * actor that owns a session (supervisor) does the I/O, the port 4500 framing and the SA table.
 */
package dev.cipherlane.ipsec.ike.session;
