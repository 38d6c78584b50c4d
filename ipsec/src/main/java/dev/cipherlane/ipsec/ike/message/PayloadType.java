package dev.cipherlane.ipsec.ike.message;

/**
 * Payload type numbers of the Next Payload fields (RFC 7296 section 3.2). Types this codec
 * does not model (CERT, CERTREQ, EAP and later extensions) are unknown to it: skipped, or
 * reported when marked critical (section 2.5).
 */
public final class PayloadType {
    /** "No Next Payload": the end of a chain. */
    public static final int NONE = 0;
    public static final int SA = 33;
    public static final int KE = 34;
    public static final int IDI = 35;
    public static final int IDR = 36;
    public static final int CERT = 37;
    public static final int CERTREQ = 38;
    public static final int AUTH = 39;
    public static final int NONCE = 40;
    public static final int NOTIFY = 41;
    public static final int DELETE = 42;
    public static final int VENDOR_ID = 43;
    public static final int TSI = 44;
    public static final int TSR = 45;
    public static final int ENCRYPTED = 46;
    public static final int CONFIGURATION = 47;
    public static final int EAP = 48;

    private PayloadType() {}

    public static String name(int type) {
        return switch (type) {
            case NONE -> "none";
            case SA -> "SA";
            case KE -> "KE";
            case IDI -> "IDi";
            case IDR -> "IDr";
            case CERT -> "CERT";
            case CERTREQ -> "CERTREQ";
            case AUTH -> "AUTH";
            case NONCE -> "Nonce";
            case NOTIFY -> "Notify";
            case DELETE -> "Delete";
            case VENDOR_ID -> "Vendor ID";
            case TSI -> "TSi";
            case TSR -> "TSr";
            case ENCRYPTED -> "SK";
            case CONFIGURATION -> "CP";
            case EAP -> "EAP";
            default -> "payload type " + type;
        };
    }
}
