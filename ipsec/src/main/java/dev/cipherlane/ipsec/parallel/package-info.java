/**
 * One SA over several cores: {@link dev.cipherlane.ipsec.parallel.ParallelRing} spreads
 * batches of packets over crypto threads and hands them back in the order they came,
 * so a single tunnel's ESP sequence numbers still leave in order (DESIGN.md, "Threads and
 * Disruptor rings"). {@link dev.cipherlane.ipsec.parallel.ParallelSubmit} and
 * {@link dev.cipherlane.ipsec.parallel.ParallelComplete} put the ring into a graph.
 */
package dev.cipherlane.ipsec.parallel;
