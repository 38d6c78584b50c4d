/**
 * IPsec ESP tunnel protection (RFC 4303) with AES-GCM-256 (RFC 4106): the SA database,
 * the esp-encrypt and esp-decrypt stages, anti-replay windows, crypto engines and the
 * persistence that keeps a sequence number from ever being reused under a key.
 */
package dev.cipherlane.ipsec;
