package dev.cipherlane.avf.model;

import static dev.cipherlane.avf.device.AdminDescriptor.*;

import dev.cipherlane.avf.device.Registers;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * The VF's mailbox as the firmware runs it. Transmit queue (ATQ): the VF fills descriptors
 * and moves ATQT; we carry each message from ATQH to the PF, mark the descriptor DD|CMP
 * and move ATQH. Receive queue (ARQ): the VF posts empty buffers up to ARQT; a message
 * from the PF fills the descriptor at ARQH (opcode 0x0802, length, virtchnl opcode and
 * status in the cookies) and moves ARQH. Messages wait here while the VF has no free
 * receive descriptor. A VF reset clears every register and drops what was waiting.
 */
final class ModelMailbox {
    /** One message from the PF waiting for a receive descriptor. */
    record Outgoing(int op, int status, byte[] body) {}

    /** Handles one message from the VF: the PF's side. */
    interface Pf {
        void message(int op, byte[] body);
    }

    int atqBaseLow, atqBaseHigh, atqLen, atqHead, atqTail;
    int arqBaseLow, arqBaseHigh, arqLen, arqHead, arqTail;
    private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
    long messagesFromVf;
    long messagesToVf;

    void reset() {
        atqBaseLow = atqBaseHigh = atqLen = atqHead = atqTail = 0;
        arqBaseLow = arqBaseHigh = arqLen = arqHead = arqTail = 0;
        waiting.clear();
    }

    boolean receiveEnabled() {
        return (arqLen & Registers.LEN_ENABLE) != 0;
    }

    void post(int op, int status, byte[] body) {
        waiting.add(new Outgoing(op, status, body));
    }

    int waiting() {
        return waiting.size();
    }

    void service(ModelMemory memory, Pf pf) {
        transmitQueue(memory, pf);
        receiveQueue(memory);
    }

    private void transmitQueue(ModelMemory memory, Pf pf) {
        int length = atqLen & Registers.LEN_MASK;
        if ((atqLen & Registers.LEN_ENABLE) == 0 || length == 0 || atqHead == atqTail) {
            return;
        }
        MemorySegment ring = memory.slice(base(atqBaseHigh, atqBaseLow), (long) length * SIZE);
        if (ring == null || atqTail >= length) {
            atqLen |= Registers.LEN_CRIT;
            return;
        }
        while (atqHead != atqTail) {
            int i = atqHead;
            int flags = flags(ring, i);
            byte[] body = new byte[0];
            boolean ok = opcode(ring, i) == OPC_SEND_TO_PF;
            if (ok && (flags & FLAG_BUF) != 0) {
                int n = datalen(ring, i);
                MemorySegment buffer = memory.slice(bufferAddress(ring, i), n);
                if (buffer == null) {
                    ok = false;
                } else {
                    body = buffer.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                }
            }
            if (ok) {
                messagesFromVf++;
                retval(ring, i, 0);
                flags(ring, i, flags | FLAG_DD | FLAG_CMP);
                pf.message(virtchnlOpcode(ring, i), body);
            } else {
                atqLen |= Registers.LEN_VFE;
                retval(ring, i, 1);
                flags(ring, i, flags | FLAG_DD | FLAG_CMP | FLAG_ERR);
            }
            atqHead = (atqHead + 1) % length;
            if ((atqLen & Registers.LEN_ENABLE) == 0) {
                return; // the message reset the VF
            }
        }
    }

    private void receiveQueue(ModelMemory memory) {
        int length = arqLen & Registers.LEN_MASK;
        if ((arqLen & Registers.LEN_ENABLE) == 0 || length == 0 || waiting.isEmpty()) {
            return;
        }
        MemorySegment ring = memory.slice(base(arqBaseHigh, arqBaseLow), (long) length * SIZE);
        if (ring == null || arqTail >= length) {
            arqLen |= Registers.LEN_CRIT;
            return;
        }
        while (!waiting.isEmpty()) {
            if (arqHead == arqTail) {
                arqLen |= Registers.LEN_OVFL;
                return;
            }
            int i = arqHead;
            Outgoing m = waiting.poll();
            int room = datalen(ring, i);
            MemorySegment buffer = (flags(ring, i) & FLAG_BUF) != 0 ? memory.slice(bufferAddress(ring, i), room) : null;
            opcode(ring, i, OPC_MESSAGE_FROM_PF);
            virtchnlOpcode(ring, i, m.op());
            virtchnlRetval(ring, i, m.status());
            if (m.body().length > 0 && (buffer == null || m.body().length > room)) {
                // The VF's buffer cannot hold the message: it is lost, and the VF told so.
                datalen(ring, i, 0);
                retval(ring, i, 1);
                flags(ring, i, FLAG_DD | FLAG_CMP | FLAG_ERR);
            } else {
                if (m.body().length > 0) {
                    MemorySegment.copy(MemorySegment.ofArray(m.body()), 0, buffer, 0, m.body().length);
                }
                datalen(ring, i, m.body().length);
                retval(ring, i, 0);
                int flags = FLAG_DD | FLAG_CMP | (m.body().length > 0 ? FLAG_BUF : 0)
                        | (m.body().length > SMALL_BUFFER ? FLAG_LB : 0);
                flags(ring, i, flags);
            }
            messagesToVf++;
            arqHead = (arqHead + 1) % length;
        }
    }

    private static long base(int high, int low) {
        return (high & 0xFFFF_FFFFL) << 32 | (low & 0xFFFF_FFFFL);
    }
}
