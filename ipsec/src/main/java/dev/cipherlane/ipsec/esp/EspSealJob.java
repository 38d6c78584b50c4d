package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.parallel.PacketJob;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.List;
import java.util.function.Supplier;

/**
 * The AES-GCM seal of packets {@link EspEncryptPrepare} laid out, run on a crypto thread. Its
 * reason codes are {@code esp-encrypt}'s errors plus one ({@link #REASONS}), so the completing
 * stage names drops the way {@code esp-encrypt} does.
 */
public final class EspSealJob implements PacketJob<AeadEngine> {
    /** Reason names for codes 1, 2, ...: esp-encrypt's errors in order. */
    public static final List<String> REASONS = EspEncrypt.SPEC.errors();

    private final Supplier<SaTable.Snapshot> sas;

    public EspSealJob(Supplier<SaTable.Snapshot> sas) {
        this.sas = sas;
    }

    @Override
    public int run(AeadEngine engine, PacketMemory mem, int bi, int thread) {
        SaState sa = sas.get().state(mem.saIndex(bi));
        if (sa == null) {
            return 1 + EspEncrypt.Errors.NO_OUTBOUND_SA.ordinal();
        }
        int arc = EspOutbound.seal(mem, mem.data(), bi, sa, engine);
        return arc < 0 ? 1 + (-1 - arc) : PASS;
    }
}
