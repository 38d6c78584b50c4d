/**
 * The cryptography of IKEv2 (RFC 7296) below the message codec: Diffie-Hellman key exchange
 * ({@link dev.cipherlane.ipsec.ike.keys.KeyExchange}), the PRF and prf+ ({@link
 * dev.cipherlane.ipsec.ike.keys.Prf}), the IKE SA and CHILD SA key schedules ({@link
 * dev.cipherlane.ipsec.ike.keys.IkeKeys}, {@link dev.cipherlane.ipsec.ike.keys.ChildSaKeys}),
 * pre-shared-key authentication ({@link dev.cipherlane.ipsec.ike.keys.PskAuth}) and the
 * Encrypted payload ({@link dev.cipherlane.ipsec.ike.keys.SkProtection}).
 *
 * <p>Everything here takes and returns byte arrays, so the IKEv2 engine can drive it without
 * this package knowing the message codec. Bad input from the network is answered with a typed
 * result ({@link dev.cipherlane.ipsec.ike.keys.Agreement}, {@link
 * dev.cipherlane.ipsec.ike.keys.SkOpening}), never with an exception; exceptions mean the
 * caller broke a contract. Key holders can be destroyed, which zeroes the arrays this package
 * owns (copies inside JDK providers are out of its reach), and none of them prints a secret.
 */
package dev.cipherlane.ipsec.ike.keys;
