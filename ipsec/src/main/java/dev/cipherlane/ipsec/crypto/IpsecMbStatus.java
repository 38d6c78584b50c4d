package dev.cipherlane.ipsec.crypto;

/**
 * Whether the {@code ipsec-mb} engine may go live in this process, and why not: the outcome of
 * loading the library, checking its version and CPU support, and its known-answer self-test
 * ({@link IpsecMbLibrary#load}). Nothing else is needed to tell {@code auto} what to pick.
 */
public final class IpsecMbStatus {
    private final IpsecMbLibrary library;
    private final String reason;

    private IpsecMbStatus(IpsecMbLibrary library, String reason) {
        this.library = library;
        this.reason = reason;
    }

    static IpsecMbStatus available(IpsecMbLibrary library) {
        return new IpsecMbStatus(library, null);
    }

    static IpsecMbStatus unavailable(String reason) {
        return new IpsecMbStatus(null, reason);
    }

    /** The status of the library named {@code name} (a soname or a path), loaded afresh. */
    public static IpsecMbStatus probe(String name) {
        return IpsecMbLibrary.load(name);
    }

    public boolean available() {
        return library != null;
    }

    /** Why the engine cannot be used; null when it can. */
    public String reason() {
        return reason;
    }

    /** "ipsec-mb 1.3.0 (avx512, VAES)" when available, else the reason. */
    public String describe() {
        return library != null ? library.describe() : reason;
    }

    IpsecMbLibrary library() {
        return library;
    }

    @Override
    public String toString() {
        return available() ? describe() : "ipsec-mb unavailable: " + reason;
    }
}
