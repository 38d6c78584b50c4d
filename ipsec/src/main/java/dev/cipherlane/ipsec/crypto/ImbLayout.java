package dev.cipherlane.ipsec.crypto;

/**
 * Offsets and sizes in intel-ipsec-mb.h (ipsec-mb 1.3, soname libIPSec_MB.so.1) that the
 * {@code ipsec-mb} engine reads or allocates. The direct GCM functions have no exported
 * architecture-neutral symbol (the {@code IMB_AES256_GCM_*} names are macros over function
 * pointers in {@code IMB_MGR}), so they are read out of an initialised manager at these
 * offsets. The header's comment on the pointer list says new members go at its end, so these
 * stay valid for later 1.x versions. {@code ImbLayoutTest} checks every constant here
 * against {@code offsetof}/{@code sizeof} from a C compiler; keep this class to constants only.
 */
final class ImbLayout {
    private ImbLayout() {}

    /** {@code IMB_MGR.features}: the {@code IMB_FEATURE_*} bits the manager found. */
    static final int MGR_FEATURES = 8;
    /** {@code IMB_MGR.used_arch}: an {@code IMB_ARCH} value. */
    static final int MGR_USED_ARCH = 56;
    /** {@code IMB_MGR.imb_errno}. */
    static final int MGR_IMB_ERRNO = 60;
    /** {@code IMB_MGR.gcm256_enc}, an {@code aes_gcm_enc_dec_t}. */
    static final int MGR_GCM256_ENC = 272;
    /** {@code IMB_MGR.gcm256_dec}, an {@code aes_gcm_enc_dec_t}. */
    static final int MGR_GCM256_DEC = 296;
    /** {@code IMB_MGR.gcm256_pre}, an {@code aes_gcm_pre_t}: key expansion and GHASH keys. */
    static final int MGR_GCM256_PRE = 464;

    /** {@code sizeof(struct gcm_key_data)} as the library is built (with {@code LINUX}: 64-aligned). */
    static final int GCM_KEY_DATA_SIZE = 1024;
    /** The alignment the header asks of {@code struct gcm_key_data} on Linux. */
    static final int GCM_KEY_DATA_ALIGN = 64;
    /** {@code sizeof(struct gcm_context_data)}. */
    static final int GCM_CONTEXT_DATA_SIZE = 88;

    /** {@code IMB_ARCH_NONE} .. {@code IMB_ARCH_AVX512}, the names for {@code used_arch}. */
    static final int ARCH_NONE = 0;
    static final int ARCH_NOAESNI = 1;
    static final int ARCH_SSE = 2;
    static final int ARCH_AVX = 3;
    static final int ARCH_AVX2 = 4;
    static final int ARCH_AVX512 = 5;

    /** {@code IMB_FEATURE_AESNI_EMU}: AES in software, no AES-NI; not what this engine is for. */
    static final long FEATURE_AESNI_EMU = 1L << 19;
    /** {@code IMB_FEATURE_VAES}. */
    static final long FEATURE_VAES = 1L << 12;
    /** {@code IMB_FEATURE_VPCLMULQDQ}. */
    static final long FEATURE_VPCLMULQDQ = 1L << 13;
}
