package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.sa.SaTable;
import java.util.List;
import java.util.function.Supplier;

/**
 * What {@code esp-encrypt} and {@code esp-decrypt} take: the SA table and a crypto engine
 * for each worker (an engine keeps cipher state, so workers never share one).
 *
 * @param sas     the published SA table snapshot; read once per frame
 * @param engines one crypto engine per worker, by worker index; copied
 */
public record EspStageParams(Supplier<SaTable.Snapshot> sas, List<AeadEngine> engines) {
    public EspStageParams {
        engines = engines == null ? null : List.copyOf(engines);
    }

    /** The engine of {@code worker}, or null when there is none for it. */
    AeadEngine engine(int worker) {
        return worker < engines.size() ? engines.get(worker) : null;
    }

    /** {@code p} if it is complete, else the stage {@code stage} refuses it. */
    static EspStageParams require(String stage, EspStageParams p) {
        if (p == null || p.sas() == null || p.engines() == null || p.engines().isEmpty()) {
            throw new IllegalArgumentException(stage + ": an SA snapshot supplier and one engine per worker are required");
        }
        return p;
    }
}
