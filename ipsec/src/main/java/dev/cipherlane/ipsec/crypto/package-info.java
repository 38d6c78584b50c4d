/**
 * AES-256-GCM for ESP (RFC 4106) behind one interface, {@link dev.cipherlane.ipsec.crypto.AeadEngine}:
 * Intel's ipsec-mb through FFM ({@link dev.cipherlane.ipsec.crypto.IpsecMbAesGcm}, what
 * {@code auto} picks when the library loads and passes its self-test), the JDK's intrinsic
 * implementation ({@link dev.cipherlane.ipsec.crypto.JdkAesGcm}, the fallback) and Bouncy
 * Castle's lightweight API ({@link dev.cipherlane.ipsec.crypto.BouncyCastleAesGcm}).
 * Engines seal and open in place in packet memory, one engine per thread; names resolve in
 * {@link dev.cipherlane.ipsec.crypto.AeadEngines}.
 */
package dev.cipherlane.ipsec.crypto;
