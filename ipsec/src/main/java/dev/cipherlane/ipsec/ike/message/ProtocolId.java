package dev.cipherlane.ipsec.ike.message;

/**
 * Security protocol identifiers of proposals, notifications and deletes (RFC 7296 section
 * 3.3.1), with the SPI size each uses there.
 */
public final class ProtocolId {
    /** Notify payloads about no particular SA carry 0 (section 3.10). */
    public static final int NONE = 0;
    public static final int IKE = 1;
    public static final int AH = 2;
    public static final int ESP = 3;

    /** IKE SPIs are 8 bytes (and absent in IKE_SA_INIT proposals, where the header has them). */
    public static final int IKE_SPI_SIZE = 8;
    /** AH and ESP SPIs are 4 bytes. */
    public static final int CHILD_SPI_SIZE = 4;

    private ProtocolId() {}

    public static String name(int id) {
        return switch (id) {
            case NONE -> "none";
            case IKE -> "IKE";
            case AH -> "AH";
            case ESP -> "ESP";
            default -> "protocol " + id;
        };
    }
}
