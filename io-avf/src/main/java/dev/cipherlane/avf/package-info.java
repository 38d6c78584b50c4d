/**
 * Intel Ethernet Adaptive Virtual Function (AVF) driver. Citations "AVF 1.0" refer to
 * the <i>Intel Ethernet Adaptive Virtual Function Hardware Architecture Specification</i>,
 * revision 1.0 (February 2018); page numbers are that revision's.
 *
 * <ul>
 * <li>{@code device}: the one interface the driver talks to ({@link dev.cipherlane.avf.device.AvfDevice}:
 *     BAR0 registers and DMA memory), register offsets and descriptor layouts;
 * <li>{@code virtchnl}: the messages a VF and its PF exchange over the admin queue;
 * <li>{@code driver}: the VF's control path (reset, admin queue, virtchnl handshake) as a
 *     state machine driven by {@code poll(now)}, and its rx/tx descriptor rings;
 * <li>{@code model}: a software VF and PF that follow the specification, so the driver is
 *     tested without the hardware.
 * </ul>
 */
package dev.cipherlane.avf;
