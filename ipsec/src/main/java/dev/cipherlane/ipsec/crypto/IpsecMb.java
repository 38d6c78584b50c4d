package dev.cipherlane.ipsec.crypto;

import java.lang.invoke.MethodHandle;

/**
 * The process's ipsec-mb, loaded once on first use, and its GCM functions as
 * {@code static final} handles so the JIT treats them as constants and inlines the downcall
 * stubs into {@link IpsecMbAesGcm}. The handles are null when {@link #STATUS} says the library
 * is unavailable; nothing calls them then.
 */
final class IpsecMb {
    private IpsecMb() {}

    static final IpsecMbStatus STATUS = IpsecMbLibrary.load(IpsecMbLibrary.DEFAULT_NAME);
    static final MethodHandle PRE = STATUS.available() ? STATUS.library().pre() : null;
    static final MethodHandle ENC = STATUS.available() ? STATUS.library().enc() : null;
    static final MethodHandle DEC = STATUS.available() ? STATUS.library().dec() : null;
}
