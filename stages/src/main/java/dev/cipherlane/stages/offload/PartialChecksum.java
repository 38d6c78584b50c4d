package dev.cipherlane.stages.offload;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.wire.Checksum;
import java.lang.foreign.MemorySegment;

/**
 * Completes a checksum left partial (NEEDS_CSUM), the way a virtio device does it (virtio
 * 1.1 section 5.1.6.2): the field at {@code csumStart + csumOffset} already holds the
 * pseudo-header sum, so the one's complement sum of {@code [csumStart, end of packet)},
 * complemented, is the final checksum. Works for any L4 protocol without parsing it.
 */
public final class PartialChecksum {
    private PartialChecksum() {}

    /**
     * Completes the checksum of {@code bi} and marks it CSUM_VALID; false, leaving the packet
     * alone, when the checksum range does not lie inside the packet.
     */
    public static boolean complete(PacketMemory mem, int bi) {
        int start = mem.csumStart(bi) - mem.dataOffset(bi);
        int field = start + mem.csumOffset(bi);
        int length = mem.length(bi);
        if (start < 0 || field + 2 > length) {
            return false;
        }
        MemorySegment data = mem.data();
        long packet = mem.start(bi);
        int checksum = ~Checksum.fold(Checksum.sum(data, packet + start, length - start, 0)) & 0xFFFF;
        // 0 and 0xFFFF are the same one's complement number; UDP reserves 0 for "no
        // checksum" (RFC 768), so a computed 0 is sent as 0xFFFF, which TCP accepts as well.
        if (checksum == 0) {
            checksum = 0xFFFF;
        }
        data.set(Net.U16, packet + field, (short) checksum);
        mem.flags(bi, (mem.flags(bi) & ~PacketFlags.NEEDS_CSUM) | PacketFlags.CSUM_VALID);
        mem.csumStart(bi, 0);
        mem.csumOffset(bi, 0);
        return true;
    }
}
