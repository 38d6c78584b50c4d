package dev.cipherlane.ipsec.crypto;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Intel's ipsec-mb library, loaded through FFM (no JNI, no header needed at run time): the
 * version, the architecture its manager picked for this CPU and the three direct GCM-256
 * functions the {@code ipsec-mb} engine calls ({@code gcm256_pre}, {@code gcm256_enc},
 * {@code gcm256_dec}, all {@code IMB_MGR} function pointers; see {@link ImbLayout}).
 *
 * <p>One manager ({@code alloc_mb_mgr(0)} then {@code init_mb_mgr_auto}) is made per load and
 * never freed: the direct GCM functions take their state from {@code gcm_key_data} and
 * {@code gcm_context_data} alone, so it is only the table the pointers are read from.
 *
 * <p>The GCM functions take every pointer as a 64-bit integer (C pointers and {@code uint64_t}
 * travel alike on x86-64 System V): a slice of the packet segment per call would allocate.
 * They are linked {@link Linker.Option#critical critical}: they neither block nor call back,
 * and a 9000-byte packet takes about a microsecond, so skipping the thread-state transition is
 * valid and saves its cost on every packet.
 *
 * @param name         what was loaded (a soname or a path)
 * @param version      {@code imb_get_version_str()}
 * @param arch         the {@code IMB_ARCH} the manager uses, by name ("avx512", ...)
 * @param features     {@code IMB_MGR.features}
 * @param pre          {@code aes_gcm_pre_t}: (key, key data)
 * @param enc          {@code aes_gcm_enc_dec_t}: (key data, context, out, in, length, iv, aad,
 *                     aad length, tag, tag length), all as longs
 * @param dec          as {@code enc}
 */
record IpsecMbLibrary(String name, String version, String arch, long features,
                      MethodHandle pre, MethodHandle enc, MethodHandle dec) {
    /** The Debian package libipsec-mb1's soname, found by the dynamic loader's search path. */
    static final String DEFAULT_NAME = "libIPSec_MB.so.1";
    /** The IMB_MGR layout in {@link ImbLayout} is that of 1.3; later 1.x only append to it. */
    static final int MIN_VERSION = 0x010300;
    static final int MAX_VERSION_EXCLUSIVE = 0x020000;

    private static final Linker LINKER = Linker.nativeLinker();
    static final FunctionDescriptor ENC_DEC = FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    static final FunctionDescriptor PRE = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);

    /** Thrown inside {@link #load} for a reason the library cannot be used; its message is that reason. */
    private static final class Unusable extends Exception {
        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Loads {@code name} (a soname or an absolute path), checks version and architecture, and
     * runs {@link IpsecMbSelfTest} through the functions found; never throws.
     */
    static IpsecMbStatus load(String name) {
        IpsecMbLibrary lib;
        try {
            lib = link(name);
        } catch (Unusable e) {
            return IpsecMbStatus.unavailable(e.getMessage());
        } catch (IllegalArgumentException | UnsatisfiedLinkError | IllegalCallerException e) {
            // IllegalArgumentException: dlopen failed (not installed, wrong path, wrong ELF class).
            // IllegalCallerException: native access not enabled for this module.
            return IpsecMbStatus.unavailable(name + " cannot be loaded: " + e.getMessage());
        }
        String failed;
        try {
            failed = IpsecMbSelfTest.run(lib);
        } catch (RuntimeException e) {
            failed = e.toString();
        }
        if (failed != null) {
            return IpsecMbStatus.unavailable(lib.describe() + " failed its known-answer self-test: " + failed);
        }
        return IpsecMbStatus.available(lib);
    }

    private static IpsecMbLibrary link(String name) throws Unusable {
        SymbolLookup lookup = SymbolLookup.libraryLookup(name, Arena.global());
        try {
            int version = (int) handle(lookup, "imb_get_version", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            MemorySegment versionStr = (MemorySegment) handle(lookup, "imb_get_version_str",
                    FunctionDescriptor.of(ADDRESS)).invokeExact();
            String versionText = versionStr.equals(MemorySegment.NULL) ? Integer.toHexString(version)
                    : versionStr.reinterpret(64).getString(0);
            if (version < MIN_VERSION || version >= MAX_VERSION_EXCLUSIVE) {
                throw new Unusable(name + " is version " + versionText + "; the engine knows the 1.x layout from 1.3 on");
            }
            MemorySegment mgr = (MemorySegment) handle(lookup, "alloc_mb_mgr", FunctionDescriptor.of(ADDRESS, JAVA_LONG))
                    .invokeExact(0L);
            if (mgr.equals(MemorySegment.NULL)) {
                throw new Unusable(name + ": alloc_mb_mgr(0) returned NULL");
            }
            mgr = mgr.reinterpret(ImbLayout.MGR_GCM256_PRE + ADDRESS.byteSize());
            MemorySegment archOut = Arena.global().allocate(JAVA_INT);
            handle(lookup, "init_mb_mgr_auto", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS)).invokeExact(mgr, archOut);
            int errno = (int) handle(lookup, "imb_get_errno", FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(mgr);
            if (errno != 0) {
                MemorySegment msg = (MemorySegment) handle(lookup, "imb_get_strerror",
                        FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(errno);
                throw new Unusable(name + ": init_mb_mgr_auto failed, imb_errno " + errno
                        + (msg.equals(MemorySegment.NULL) ? "" : " (" + msg.reinterpret(256).getString(0) + ")"));
            }
            int arch = mgr.get(JAVA_INT, ImbLayout.MGR_USED_ARCH);
            long features = mgr.get(JAVA_LONG, ImbLayout.MGR_FEATURES);
            if (arch < ImbLayout.ARCH_SSE || (features & ImbLayout.FEATURE_AESNI_EMU) != 0) {
                throw new Unusable(name + " " + versionText + ": no AES-NI on this CPU (arch " + archName(arch)
                        + "); its software AES is slower than the JDK's");
            }
            return new IpsecMbLibrary(name, versionText, archName(arch), features,
                    pointer(mgr, ImbLayout.MGR_GCM256_PRE, "gcm256_pre", PRE, false),
                    pointer(mgr, ImbLayout.MGR_GCM256_ENC, "gcm256_enc", ENC_DEC, true),
                    pointer(mgr, ImbLayout.MGR_GCM256_DEC, "gcm256_dec", ENC_DEC, true));
        } catch (Unusable | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new Unusable(name + ": " + t);
        }
    }

    private static MethodHandle handle(SymbolLookup lookup, String symbol, FunctionDescriptor fd) throws Unusable {
        MemorySegment addr = lookup.find(symbol).orElseThrow(() -> new Unusable("no symbol " + symbol));
        return LINKER.downcallHandle(addr, fd);
    }

    private static MethodHandle pointer(MemorySegment mgr, long offset, String field, FunctionDescriptor fd,
            boolean critical) throws Unusable {
        MemorySegment fn = mgr.get(ADDRESS, offset);
        if (fn.equals(MemorySegment.NULL)) {
            throw new Unusable("IMB_MGR." + field + " is NULL after init_mb_mgr_auto");
        }
        return critical ? LINKER.downcallHandle(fn, fd, Linker.Option.critical(false)) : LINKER.downcallHandle(fn, fd);
    }

    static String archName(int arch) {
        return switch (arch) {
            case ImbLayout.ARCH_NONE -> "none";
            case ImbLayout.ARCH_NOAESNI -> "no-aesni";
            case ImbLayout.ARCH_SSE -> "sse";
            case ImbLayout.ARCH_AVX -> "avx";
            case ImbLayout.ARCH_AVX2 -> "avx2";
            case ImbLayout.ARCH_AVX512 -> "avx512";
            default -> "arch " + arch;
        };
    }

    /** "ipsec-mb 1.3.0 (avx512, VAES)": what the startup log and {@code show sa} print. */
    String describe() {
        boolean vaes = (features & ImbLayout.FEATURE_VAES) != 0 && (features & ImbLayout.FEATURE_VPCLMULQDQ) != 0;
        return "ipsec-mb " + version + " (" + arch + (vaes ? ", VAES" : "") + ")";
    }
}
