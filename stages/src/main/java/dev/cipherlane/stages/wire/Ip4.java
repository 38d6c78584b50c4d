package dev.cipherlane.stages.wire;

/**
 * IPv4 header layout (RFC 791 section 3.1) and the address classes the forwarding stages
 * refuse. Offsets are from the first byte of the IP header.
 */
public final class Ip4 {
    private Ip4() {}

    public static final int VERSION_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LENGTH = 2;
    public static final int IDENTIFICATION = 4;
    /** Flags (reserved, DF, MF) in the top three bits, then the 13-bit fragment offset. */
    public static final int FLAGS_FRAGMENT = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SOURCE = 12;
    public static final int DESTINATION = 16;

    /** Header without options: IHL 5. */
    public static final int MIN_HEADER = 20;
    public static final int DONT_FRAGMENT = 0x4000;
    public static final int MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /**
     * Sources that never name one host on the wire (RFC 1812 section 5.3.7 and section
     * 4.3.2.7): 0.0.0.0/8 ("this network", only legal while a host boots, and we serve no
     * DHCP), 127.0.0.0/8 (loopback must not appear on a link), 224.0.0.0/4 (multicast) and
     * 240.0.0.0/4 (class E, which holds the limited broadcast 255.255.255.255).
     */
    public static boolean isInvalidSource(int address) {
        int first = address >>> 24;
        return first == 0 || first == 127 || first >= 224;
    }

    /**
     * Destinations never valid on the wire whatever the FIB says (RFC 1812 section 5.3.7 and
     * section 4.2.2.11): 0.0.0.0/8 and 127.0.0.0/8. Multicast and broadcast are left to the
     * FIB, which punts or drops them.
     */
    public static boolean isInvalidDestination(int address) {
        int first = address >>> 24;
        return first == 0 || first == 127;
    }

    /** 224.0.0.0/4 multicast or 240.0.0.0/4 (class E and the limited broadcast). */
    public static boolean isMulticastOrBroadcast(int address) {
        return (address >>> 24) >= 224;
    }
}
