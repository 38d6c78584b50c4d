package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.sa.ReplayWindow;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import java.lang.foreign.MemorySegment;

/**
 * One worker's pass of esp-decrypt over a frame, in RFC 4303 section 3.4's order but step by
 * step for the whole frame, so each SA's replay window is locked once per run of its packets
 * instead of three times per packet: (1) headers parsed and SAs found; (2) every packet's
 * sequence number checked against its window (section 3.4.3), a run of packets of one SA under
 * one hold of the window's monitor; (3) ICVs verified and payloads decrypted, no lock held;
 * (4) the numbers of the packets whose ICV passed recorded in frame order, again one hold per
 * run, then trailers checked and ESP stripped (section 3.4.4); the counters through
 * {@link FrameCounters}.
 *
 * <p>Invariants: no packet is decrypted before its number passed the window; no number is
 * recorded before its ICV passed; numbers are recorded in the order the packets arrived. Two
 * packets of one frame with the same number both pass step 2 and are both opened; step 4
 * accepts the first and refuses the second as a replay, as it would from two workers.
 *
 * <p>The window's methods synchronize on the window itself, so holding its monitor across a
 * run makes the calls inside it re-entries rather than acquisitions. Not thread-safe: one per
 * worker; its arrays hold one frame.
 */
final class InboundFrame {
    private final int[] arcs = new int[Frame.CAPACITY];
    private final SaState[] sas = new SaState[Frame.CAPACITY];

    /** Runs esp-decrypt over {@code frame}; {@link #arc} then has each packet's outcome. */
    void run(Frame frame, PacketMemory mem, MemorySegment data, SaTable.Snapshot snapshot, AeadEngine engine,
            FrameCounters counters) {
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            arcs[i] = EspInbound.parse(mem, data, bi, snapshot);
            sas[i] = arcs[i] == EspDecrypt.Arcs.IPIP.ordinal() ? snapshot.state(mem.saIndex(frame.get(i))) : null;
        }
        for (int i = next(0, n); i < n; i = next(i, n)) {
            ReplayWindow window = sas[i].window();
            synchronized (window) {
                for (; i < n && (sas[i] == null || sas[i].window() == window); i++) {
                    if (sas[i] != null) {
                        arcs[i] = EspInbound.checkWindow(mem, data, frame.get(i), sas[i]);
                        dropUnless(i);
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (sas[i] != null) {
                arcs[i] = engine == null ? -1 - EspDecrypt.Errors.NO_ENGINE.ordinal()
                        : EspInbound.open(mem, data, frame.get(i), sas[i], engine);
                dropUnless(i);
            }
        }
        for (int i = next(0, n); i < n; i = next(i, n)) {
            ReplayWindow window = sas[i].window();
            int from = i;
            synchronized (window) {
                for (; i < n && (sas[i] == null || sas[i].window() == window); i++) {
                    if (sas[i] != null) {
                        arcs[i] = EspInbound.accept(mem, data, frame.get(i), sas[i]);
                        dropUnless(i);
                    }
                }
            }
            for (int j = from; j < i; j++) {
                if (sas[j] != null) {
                    arcs[j] = EspInbound.strip(mem, data, frame.get(j), sas[j], counters);
                    sas[j] = null;
                }
            }
        }
    }

    /** Packet {@code i}'s outcome: an arc of esp-decrypt, or {@code -1 - error}. */
    int arc(int i) {
        return arcs[i];
    }

    /** The first packet from {@code i} on still going through (with an SA), or {@code n}. */
    private int next(int i, int n) {
        while (i < n && sas[i] == null) {
            i++;
        }
        return i;
    }

    /** A packet that failed a step leaves the later ones. */
    private void dropUnless(int i) {
        if (arcs[i] != EspDecrypt.Arcs.IPIP.ordinal()) {
            sas[i] = null;
        }
    }
}
