package dev.cipherlane.stages.offload;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;

/**
 * Metadata of a packet built in a fresh buffer from another one (a segment cut from a
 * super-packet, a super-packet coalesced from segments). The new buffer's packet starts at
 * the IP header, so L3/L4 offsets are set from its own data offset rather than copied.
 */
final class DerivedPacket {
    private DerivedPacket() {}

    /** Flags that describe the packet rather than its checksum or buffer state. */
    private static final int INHERITED_FLAGS = PacketFlags.LOCAL | PacketFlags.TRACED;

    /**
     * Copies interfaces, next hop, flow hash, SA index and trace record from {@code from} to
     * the freshly allocated {@code to}, sets IP6 from {@code ip6} and L3/L4 offsets with the
     * TCP header {@code tcpOffset} bytes after the IP header. Checksum flags and GSO fields
     * are the caller's to set.
     */
    static void inherit(PacketMemory mem, int from, int to, boolean ip6, int tcpOffset) {
        mem.rxInterface(to, mem.rxInterface(from));
        mem.txInterface(to, mem.txInterface(from));
        mem.nextHop(to, mem.nextHop(from));
        mem.flowHash(to, mem.flowHash(from));
        mem.saIndex(to, mem.saIndex(from));
        mem.trace(to, mem.trace(from));
        int flags = mem.flags(to) | (mem.flags(from) & INHERITED_FLAGS);
        mem.flags(to, ip6 ? flags | PacketFlags.IP6 : flags & ~PacketFlags.IP6);
        int l3 = mem.dataOffset(to);
        mem.l3Offset(to, l3);
        mem.l4Offset(to, l3 + tcpOffset);
    }
}
