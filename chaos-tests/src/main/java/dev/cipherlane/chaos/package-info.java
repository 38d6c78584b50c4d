/**
 * Chaos testing for Cipherlane: faults on the wire between nodes. This kernel has no
 * tc-netem, so {@link dev.cipherlane.chaos.ImpairmentRelay} bridges two veth ends in
 * userspace and loses, duplicates, reorders, corrupts, delays or partitions the frames that
 * cross it, per direction and changeable while traffic flows.
 */
package dev.cipherlane.chaos;
