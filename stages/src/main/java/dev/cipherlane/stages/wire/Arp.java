package dev.cipherlane.stages.wire;

/**
 * ARP packet layout for Ethernet and IPv4 (RFC 826, "Packet format"): the only combination
 * the dataplane speaks. Offsets are from the start of the ARP header, right after the
 * Ethernet header.
 */
public final class Arp {
    private Arp() {}

    public static final int HARDWARE_TYPE = 0;
    public static final int PROTOCOL_TYPE = 2;
    public static final int HARDWARE_LENGTH = 4;
    public static final int PROTOCOL_LENGTH = 5;
    public static final int OPCODE = 6;
    public static final int SENDER_MAC = 8;
    public static final int SENDER_IP = 14;
    public static final int TARGET_MAC = 18;
    public static final int TARGET_IP = 24;
    /** Bytes of an Ethernet/IPv4 ARP packet; anything after it is link padding. */
    public static final int LENGTH = 28;

    /** ar$hrd for Ethernet (IANA ARP parameters, hardware type 1). */
    public static final int HARDWARE_ETHERNET = 1;
    public static final int MAC_LENGTH = 6;
    public static final int IP4_LENGTH = 4;

    /** ar$op values (RFC 826). */
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
}
