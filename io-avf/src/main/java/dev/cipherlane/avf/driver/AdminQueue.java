package dev.cipherlane.avf.driver;

import static dev.cipherlane.avf.device.AdminDescriptor.*;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.device.DmaRegion;
import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The VF's side of the mailbox (AVF 1.0, "VF mailbox"). Transmit: a message goes in the
 * buffer of descriptor ATQT, the descriptor says send-to-PF with the virtchnl opcode in
 * its cookie, and moving ATQT hands it over; the device moves ATQH past it when done.
 * Receive: every descriptor carries an empty 4 KiB buffer; the device fills them from
 * ARQH on, and we give each back by moving ARQT onto it, so one descriptor always stays
 * ours and a full ring never looks empty. The rings are allocated once and reprogrammed
 * after every VF reset, which clears the registers.
 */
public final class AdminQueue {
    public static final int LENGTH = 16;
    public static final int BUFFER = 4096;

    private final AvfDevice device;
    private final DmaRegion atq;
    private final DmaRegion arq;
    private final DmaRegion atqBuffers;
    private final DmaRegion arqBuffers;
    private int atqNext;
    private int atqClean;
    private int arqNext;
    private long errors;

    public AdminQueue(AvfDevice device) {
        this.device = device;
        atq = device.allocateDma((long) LENGTH * SIZE);
        arq = device.allocateDma((long) LENGTH * SIZE);
        atqBuffers = device.allocateDma((long) LENGTH * BUFFER);
        arqBuffers = device.allocateDma((long) LENGTH * BUFFER);
    }

    /** Programs both rings from scratch: after power-up and after every VF reset. */
    public void start() {
        stop();
        atq.segment().fill((byte) 0);
        arq.segment().fill((byte) 0);
        for (int i = 0; i < LENGTH; i++) {
            post(i);
        }
        atqNext = atqClean = arqNext = 0;
        VarHandle.releaseFence();
        device.write32(Registers.VF_ATQBAL, (int) atq.iova());
        device.write32(Registers.VF_ATQBAH, (int) (atq.iova() >>> 32));
        device.write32(Registers.VF_ATQH, 0);
        device.write32(Registers.VF_ATQT, 0);
        device.write32(Registers.VF_ATQLEN, LENGTH | Registers.LEN_ENABLE);
        device.write32(Registers.VF_ARQBAL, (int) arq.iova());
        device.write32(Registers.VF_ARQBAH, (int) (arq.iova() >>> 32));
        device.write32(Registers.VF_ARQH, 0);
        device.write32(Registers.VF_ARQT, LENGTH - 1);
        device.write32(Registers.VF_ARQLEN, LENGTH | Registers.LEN_ENABLE);
    }

    public void stop() {
        device.write32(Registers.VF_ATQLEN, 0);
        device.write32(Registers.VF_ARQLEN, 0);
    }

    /** Both queues enabled: a VF reset clears the bits, which is how we notice it. */
    public boolean running() {
        return (device.read32(Registers.VF_ARQLEN) & Registers.LEN_ENABLE) != 0
                && (device.read32(Registers.VF_ATQLEN) & Registers.LEN_ENABLE) != 0;
    }

    /** Descriptors the device flagged with ERR, in either direction. */
    public long errors() {
        return errors;
    }

    /**
     * Queues a message for the PF.
     *
     * @return false when the transmit ring is full (the PF has stopped taking messages)
     */
    public boolean send(VirtchnlOp op, byte[] body) {
        if (body.length > BUFFER) {
            throw new IllegalArgumentException(op + " message of " + body.length + " bytes");
        }
        reclaim();
        int i = atqNext;
        if ((i + 1) % LENGTH == atqClean) {
            return false;
        }
        MemorySegment.copy(MemorySegment.ofArray(body), 0, atqBuffers.segment(), (long) i * BUFFER, body.length);
        clear(atq.segment(), i);
        int flags = FLAG_SI;
        if (body.length > 0) {
            flags |= FLAG_BUF | FLAG_RD | (body.length > SMALL_BUFFER ? FLAG_LB : 0);
        }
        flags(atq.segment(), i, flags);
        opcode(atq.segment(), i, OPC_SEND_TO_PF);
        datalen(atq.segment(), i, body.length);
        virtchnlOpcode(atq.segment(), i, op.code);
        virtchnlRetval(atq.segment(), i, 0);
        bufferAddress(atq.segment(), i, atqBuffers.iova((long) i * BUFFER));
        atqNext = (i + 1) % LENGTH;
        VarHandle.releaseFence();
        device.write32(Registers.VF_ATQT, atqNext);
        return true;
    }

    /** Takes back the transmit descriptors the device is done with. */
    private void reclaim() {
        int head = device.read32(Registers.VF_ATQH) & Registers.HEAD_MASK;
        while (atqClean != head && atqClean != atqNext) {
            if ((flags(atq.segment(), atqClean) & FLAG_ERR) != 0) {
                errors++;
            }
            atqClean = (atqClean + 1) % LENGTH;
        }
    }

    /** The next message from the PF, or null when none has arrived. */
    public PfMessage receive() {
        int head = device.read32(Registers.VF_ARQH) & Registers.HEAD_MASK;
        if (arqNext == head || head >= LENGTH) {
            return null;
        }
        VarHandle.acquireFence();
        int i = arqNext;
        MemorySegment ring = arq.segment();
        int flags = flags(ring, i);
        int length = Math.min(datalen(ring, i), BUFFER);
        boolean lost = (flags & FLAG_ERR) != 0;
        if (lost) {
            errors++;
        }
        byte[] body = (flags & FLAG_BUF) != 0 && !lost
                ? arqBuffers.segment().asSlice((long) i * BUFFER, length).toArray(ValueLayout.JAVA_BYTE)
                : new byte[0];
        int code = virtchnlOpcode(ring, i);
        PfMessage m = new PfMessage(VirtchnlOp.of(code), code, virtchnlRetval(ring, i), body, lost);
        post(i);
        arqNext = (i + 1) % LENGTH;
        VarHandle.releaseFence();
        device.write32(Registers.VF_ARQT, i);
        return m;
    }

    /** Gives receive descriptor {@code i} its empty buffer again. */
    private void post(int i) {
        MemorySegment ring = arq.segment();
        clear(ring, i);
        flags(ring, i, FLAG_BUF | FLAG_LB | FLAG_SI);
        datalen(ring, i, BUFFER);
        bufferAddress(ring, i, arqBuffers.iova((long) i * BUFFER));
    }
}
