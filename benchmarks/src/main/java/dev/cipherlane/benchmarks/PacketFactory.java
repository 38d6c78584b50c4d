package dev.cipherlane.benchmarks;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;

/** Builds IPv4/UDP packets in buffers for benchmarks (setup only, not measured). */
final class PacketFactory {
    private PacketFactory() {}

    /**
     * A valid IPv4/UDP packet of {@code bytes} bytes starting at the IP header, with its
     * flow hash set and its TTL and checksum saved in OPAQUE for {@link RestoreSink}.
     */
    static int udp4(PacketMemory mem, BufferCache cache, int src, int dst, int sport, int dport, int bytes) {
        int bi = cache.allocSmall();
        if (bi < 0) {
            throw new IllegalStateException("benchmark pool exhausted");
        }
        mem.write(bi, new byte[bytes]);
        mem.u8(bi, 0, 0x45);
        mem.u16(bi, 2, bytes);
        mem.u16(bi, 6, 0x4000);
        mem.u8(bi, 8, 64);
        mem.u8(bi, 9, 17);
        mem.u32(bi, 12, src);
        mem.u32(bi, 16, dst);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += mem.u16(bi, i);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = ~sum & 0xFFFF;
        mem.u16(bi, 10, checksum);
        mem.u16(bi, 20, sport);
        mem.u16(bi, 22, dport);
        mem.u16(bi, 24, bytes - 20);
        mem.flowHash(bi, FlowHash.hash4(src, dst, 17, sport, dport));
        mem.opaque(bi, 64 << 16 | checksum);
        return bi;
    }
}
