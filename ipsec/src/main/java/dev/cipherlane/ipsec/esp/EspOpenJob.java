package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.parallel.PacketJob;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.List;
import java.util.function.Supplier;

/**
 * ICV check and decryption of packets {@link EspDecryptCheck} let through, run on a crypto
 * thread. The window is not touched here: {@link EspDecryptFinish} records the number after
 * the ICV passed, in ring order. Reason codes are {@code esp-decrypt}'s errors plus one.
 */
public final class EspOpenJob implements PacketJob<AeadEngine> {
    public static final List<String> REASONS = EspDecrypt.SPEC.errors();

    private final Supplier<SaTable.Snapshot> sas;

    public EspOpenJob(Supplier<SaTable.Snapshot> sas) {
        this.sas = sas;
    }

    @Override
    public int run(AeadEngine engine, PacketMemory mem, int bi, int thread) {
        SaState sa = sas.get().state(mem.saIndex(bi));
        if (sa == null) {
            return 1 + EspDecrypt.Errors.UNKNOWN_SPI.ordinal();
        }
        int arc = EspInbound.open(mem, mem.data(), bi, sa, engine);
        return arc < 0 ? 1 + (-1 - arc) : PASS;
    }
}
