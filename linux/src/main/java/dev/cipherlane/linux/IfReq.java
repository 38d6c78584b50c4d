package dev.cipherlane.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq} (netdevice(7), include/uapi/linux/if.h): a 16-byte interface name
 * followed by a 24-byte union, 40 bytes on LP64. The tun ioctls use the name and the short
 * {@code ifr_flags} at offset 16.
 */
public final class IfReq {
    private IfReq() {}

    /** IFNAMSIZ: 15 bytes of name and its NUL. */
    public static final int NAME_SIZE = 16;
    public static final int SIZE = 40;
    private static final long UNION = NAME_SIZE;

    /** Throws unless {@code name} fits IFNAMSIZ and is a name the kernel accepts (dev_valid_name). */
    public static void checkName(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length >= NAME_SIZE || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("bad interface name \"" + name + "\" (at most 15 bytes; no '/', ':'"
                    + " or white space)");
        }
    }

    /** Writes {@code name} (empty: let the kernel pick) NUL-padded to 16 bytes. */
    public static void setName(MemorySegment ifr, String name) {
        if (!name.isEmpty()) {
            checkName(name);
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        ifr.asSlice(0, NAME_SIZE).fill((byte) 0);
        MemorySegment.copy(b, 0, ifr, ValueLayout.JAVA_BYTE, 0, b.length);
    }

    public static String name(MemorySegment ifr) {
        int n = 0;
        while (n < NAME_SIZE && ifr.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        MemorySegment.copy(ifr, ValueLayout.JAVA_BYTE, 0, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** {@code ifr_flags}, a C short; returned without sign extension. */
    public static int flags(MemorySegment ifr) {
        return Short.toUnsignedInt(ifr.get(ValueLayout.JAVA_SHORT, UNION));
    }

    public static void setFlags(MemorySegment ifr, int flags) {
        ifr.set(ValueLayout.JAVA_SHORT, UNION, (short) flags);
    }
}
