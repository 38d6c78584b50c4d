/**
 * AES-256-GCM for ESP (RFC 4106) behind one interface, {@link dev.cipherlane.ipsec.crypto.AeadEngine}:
 * the JDK's intrinsic implementation ({@link dev.cipherlane.ipsec.crypto.JdkAesGcm}, the default)
 * and Bouncy Castle's lightweight API ({@link dev.cipherlane.ipsec.crypto.BouncyCastleAesGcm}).
 * Engines seal and open in place in packet memory, one engine per thread.
 */
package dev.cipherlane.ipsec.crypto;
