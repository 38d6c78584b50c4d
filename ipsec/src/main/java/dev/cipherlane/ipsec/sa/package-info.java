/**
 * The SA database: {@link dev.cipherlane.ipsec.sa.SecurityAssociation} (immutable, as
 * negotiated), {@link dev.cipherlane.ipsec.sa.SaState} (what changes per packet: sequence
 * counter, {@link dev.cipherlane.ipsec.sa.ReplayWindow}, counters and limits) and
 * {@link dev.cipherlane.ipsec.sa.SaTable}, which the control plane mutates and workers read
 * through immutable snapshots, with the {@link dev.cipherlane.ipsec.sa.TunnelProtection} of each
 * tunnel.
 */
package dev.cipherlane.ipsec.sa;
