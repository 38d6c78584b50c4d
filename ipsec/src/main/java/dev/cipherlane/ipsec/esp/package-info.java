/**
 * The ESP stages: {@link dev.cipherlane.ipsec.esp.EspEncrypt} ({@code esp-encrypt}) and
 * {@link dev.cipherlane.ipsec.esp.EspDecrypt} ({@code esp-decrypt}), tunnel protection of IPIP
 * tunnels with AES-256-GCM (RFC 4303, RFC 4106, RFC 3948), and their per-packet steps in
 * {@link dev.cipherlane.ipsec.esp.EspOutbound} and {@link dev.cipherlane.ipsec.esp.EspInbound},
 * which a parallel crypto pipeline can run on separate threads.
 */
package dev.cipherlane.ipsec.esp;
