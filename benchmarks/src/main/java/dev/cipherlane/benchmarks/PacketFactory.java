package dev.cipherlane.benchmarks;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.wire.IpProtocol;

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
        int checksum = ip4Header(mem, bi, bytes, IpProtocol.UDP, src, dst);
        mem.u16(bi, 20, sport);
        mem.u16(bi, 22, dport);
        mem.u16(bi, 24, bytes - 20);
        mem.flowHash(bi, FlowHash.hash4(src, dst, IpProtocol.UDP, sport, dport));
        mem.opaque(bi, 64 << 16 | checksum);
        return bi;
    }

    /**
     * An IPIP packet as {@code ipip-encap} hands it to {@code esp-encrypt}: a 20-byte outer
     * IPv4 header (protocol 4) in front of a {@code innerBytes}-byte IPv4/UDP packet, the
     * outer header taken from the headroom.
     */
    static int ipip4(PacketMemory mem, BufferCache cache, int outerSrc, int outerDst, int innerSrc, int innerDst,
            int innerBytes) {
        int bi = udp4(mem, cache, innerSrc, innerDst, 1024, 4789, innerBytes);
        mem.push(bi, 20);
        ip4Header(mem, bi, 20 + innerBytes, IpProtocol.IPIP4, outerSrc, outerDst);
        return bi;
    }

    /** Writes a 20-byte IPv4 header (DF, TTL 64) at the packet's start; returns its checksum. */
    private static int ip4Header(PacketMemory mem, int bi, int totalLength, int protocol, int src, int dst) {
        mem.u8(bi, 0, 0x45);
        mem.u8(bi, 1, 0);
        mem.u16(bi, 2, totalLength);
        mem.u16(bi, 4, 0);
        mem.u16(bi, 6, 0x4000);
        mem.u8(bi, 8, 64);
        mem.u8(bi, 9, protocol);
        mem.u16(bi, 10, 0);
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
        return checksum;
    }
}
