/**
 * A software AVF virtual function and the part of its PF that serves it, following the
 * specification closely enough that a driver which works against it should work against
 * the hardware: BAR0 registers, the mailbox processed as a PF processes it (every
 * virtchnl message checked for length and content, answered with the right status), the
 * VF reset sequence seen through VFGEN_RSTAT, queue contexts, RSS (Toeplitz hash, key
 * and LUT as configured), receive write-back and transmit from DMA memory.
 *
 * <p>Nothing here runs by itself: {@link dev.cipherlane.avf.model.AvfModel#service(long)}
 * does one round of device work, so tests interleave it with the driver's polls and stay
 * deterministic. Frames come and go through a {@link dev.cipherlane.avf.model.Wire}.
 * {@link dev.cipherlane.avf.model.Misbehaviour} makes the device or PF misbehave on demand.
 */
package dev.cipherlane.avf.model;
