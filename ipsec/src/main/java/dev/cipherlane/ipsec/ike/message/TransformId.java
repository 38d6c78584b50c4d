package dev.cipherlane.ipsec.ike.message;

/**
 * Transform IDs of the algorithms Cipherlane proposes or is likely to meet (RFC 7296 section
 * 3.3.2 and the IANA "IKEv2 Transform Type" registries), with names for logs. Any other ID is
 * still carried; the engine just never selects it.
 */
public final class TransformId {
    // Type 1, encryption. AES-GCM with a 16-byte ICV is RFC 4106 (ESP) and RFC 5282 (IKE).
    public static final int ENCR_AES_CBC = 12;
    public static final int ENCR_AES_CTR = 13;
    public static final int ENCR_AES_GCM_8 = 18;
    public static final int ENCR_AES_GCM_12 = 19;
    public static final int ENCR_AES_GCM_16 = 20;
    public static final int ENCR_CHACHA20_POLY1305 = 28;

    // Type 2, pseudorandom functions (RFC 4868 for SHA-2).
    public static final int PRF_HMAC_SHA1 = 2;
    public static final int PRF_HMAC_SHA2_256 = 5;
    public static final int PRF_HMAC_SHA2_384 = 6;
    public static final int PRF_HMAC_SHA2_512 = 7;

    // Type 3, integrity. Not proposed together with an AEAD cipher (RFC 5282 section 8).
    public static final int AUTH_HMAC_SHA1_96 = 2;
    public static final int AUTH_HMAC_SHA2_256_128 = 12;
    public static final int AUTH_HMAC_SHA2_384_192 = 13;
    public static final int AUTH_HMAC_SHA2_512_256 = 14;

    // Type 4, key exchange groups.
    public static final int MODP_2048 = 14;
    public static final int ECP_256 = 19;
    public static final int ECP_384 = 20;
    public static final int CURVE25519 = 31;

    // Type 5, extended sequence numbers.
    public static final int NO_ESN = 0;
    public static final int ESN = 1;

    private TransformId() {}

    public static String name(int type, int id) {
        String name = switch (type) {
            case Transform.ENCR -> switch (id) {
                case ENCR_AES_CBC -> "AES_CBC";
                case ENCR_AES_CTR -> "AES_CTR";
                case ENCR_AES_GCM_8 -> "AES_GCM_8";
                case ENCR_AES_GCM_12 -> "AES_GCM_12";
                case ENCR_AES_GCM_16 -> "AES_GCM_16";
                case ENCR_CHACHA20_POLY1305 -> "CHACHA20_POLY1305";
                default -> null;
            };
            case Transform.PRF -> switch (id) {
                case PRF_HMAC_SHA1 -> "PRF_HMAC_SHA1";
                case PRF_HMAC_SHA2_256 -> "PRF_HMAC_SHA2_256";
                case PRF_HMAC_SHA2_384 -> "PRF_HMAC_SHA2_384";
                case PRF_HMAC_SHA2_512 -> "PRF_HMAC_SHA2_512";
                default -> null;
            };
            case Transform.INTEG -> switch (id) {
                case AUTH_HMAC_SHA1_96 -> "HMAC_SHA1_96";
                case AUTH_HMAC_SHA2_256_128 -> "HMAC_SHA2_256_128";
                case AUTH_HMAC_SHA2_384_192 -> "HMAC_SHA2_384_192";
                case AUTH_HMAC_SHA2_512_256 -> "HMAC_SHA2_512_256";
                default -> null;
            };
            case Transform.KE -> switch (id) {
                case MODP_2048 -> "MODP_2048";
                case ECP_256 -> "ECP_256";
                case ECP_384 -> "ECP_384";
                case CURVE25519 -> "CURVE25519";
                default -> null;
            };
            case Transform.ESN -> switch (id) {
                case NO_ESN -> "NO_ESN";
                case ESN -> "ESN";
                default -> null;
            };
            default -> null;
        };
        return name != null ? name : "transform " + type + "/" + id;
    }
}
