package dev.cipherlane.avf.device;

import java.lang.foreign.MemorySegment;

/**
 * One 32-byte admin (mailbox) queue descriptor, the same for both directions (AVF 1.0,
 * "Mailbox queue descriptor"). Messages always travel in an indirect buffer whose device
 * address is in the last two words; the firmware copies the cookies from the VF's
 * descriptor to the PF's and back, and that is where virtchnl keeps its opcode and
 * return value.
 */
public final class AdminDescriptor {
    private AdminDescriptor() {}

    public static final int SIZE = 32;

    public static final int FLAGS = 0;
    public static final int OPCODE = 2;
    public static final int DATALEN = 4;
    public static final int RETVAL = 6;
    /** virtchnl opcode ({@code v_opcode}). */
    public static final int COOKIE_HIGH = 8;
    /** virtchnl return value ({@code v_retval}), a signed {@code VIRTCHNL_STATUS_*}. */
    public static final int COOKIE_LOW = 12;
    public static final int PARAM0 = 16;
    public static final int PARAM1 = 20;
    public static final int ADDR_HIGH = 24;
    public static final int ADDR_LOW = 28;

    // Flags.
    /** Descriptor done: the device has finished with it. */
    public static final int FLAG_DD = 0x0001;
    /** Completed: the device has written its results back. */
    public static final int FLAG_CMP = 0x0002;
    /** The device could not carry out the descriptor; RETVAL says why. */
    public static final int FLAG_ERR = 0x0004;
    /** Large buffer: the indirect buffer is longer than 512 bytes. */
    public static final int FLAG_LB = 0x0200;
    /** The device reads the buffer (a message to the PF). */
    public static final int FLAG_RD = 0x0400;
    /** An indirect buffer is attached. */
    public static final int FLAG_BUF = 0x1000;
    /** Interrupt on completion suppressed: we poll. */
    public static final int FLAG_SI = 0x2000;

    /** A buffer longer than this needs {@link #FLAG_LB}. */
    public static final int SMALL_BUFFER = 512;

    // Opcodes.
    /** VF to PF: a virtchnl message for our PF. */
    public static final int OPC_SEND_TO_PF = 0x0801;
    /** PF to VF: a virtchnl message (reply or event) from our PF. */
    public static final int OPC_MESSAGE_FROM_PF = 0x0802;

    private static long at(int index) {
        return (long) index * SIZE;
    }

    public static int flags(MemorySegment ring, int i) {
        return Le.u16(ring, at(i) + FLAGS);
    }

    public static void flags(MemorySegment ring, int i, int flags) {
        Le.u16(ring, at(i) + FLAGS, flags);
    }

    public static int opcode(MemorySegment ring, int i) {
        return Le.u16(ring, at(i) + OPCODE);
    }

    public static void opcode(MemorySegment ring, int i, int opcode) {
        Le.u16(ring, at(i) + OPCODE, opcode);
    }

    public static int datalen(MemorySegment ring, int i) {
        return Le.u16(ring, at(i) + DATALEN);
    }

    public static void datalen(MemorySegment ring, int i, int length) {
        Le.u16(ring, at(i) + DATALEN, length);
    }

    public static int retval(MemorySegment ring, int i) {
        return Le.u16(ring, at(i) + RETVAL);
    }

    public static void retval(MemorySegment ring, int i, int retval) {
        Le.u16(ring, at(i) + RETVAL, retval);
    }

    public static int virtchnlOpcode(MemorySegment ring, int i) {
        return Le.u32(ring, at(i) + COOKIE_HIGH);
    }

    public static void virtchnlOpcode(MemorySegment ring, int i, int opcode) {
        Le.u32(ring, at(i) + COOKIE_HIGH, opcode);
    }

    public static int virtchnlRetval(MemorySegment ring, int i) {
        return Le.u32(ring, at(i) + COOKIE_LOW);
    }

    public static void virtchnlRetval(MemorySegment ring, int i, int retval) {
        Le.u32(ring, at(i) + COOKIE_LOW, retval);
    }

    public static long bufferAddress(MemorySegment ring, int i) {
        long high = Le.u32(ring, at(i) + ADDR_HIGH) & 0xFFFF_FFFFL;
        long low = Le.u32(ring, at(i) + ADDR_LOW) & 0xFFFF_FFFFL;
        return high << 32 | low;
    }

    public static void bufferAddress(MemorySegment ring, int i, long iova) {
        Le.u32(ring, at(i) + ADDR_HIGH, (int) (iova >>> 32));
        Le.u32(ring, at(i) + ADDR_LOW, (int) iova);
    }

    /** All 32 bytes to zero. */
    public static void clear(MemorySegment ring, int i) {
        ring.asSlice(at(i), SIZE).fill((byte) 0);
    }
}
