package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.EngineChoice;
import dev.cipherlane.ipsec.esp.EspDecrypt;
import dev.cipherlane.ipsec.esp.EspDecryptCheck;
import dev.cipherlane.ipsec.esp.EspDecryptFinish;
import dev.cipherlane.ipsec.esp.EspEncrypt;
import dev.cipherlane.ipsec.esp.EspEncryptPrepare;
import dev.cipherlane.ipsec.esp.EspOpenJob;
import dev.cipherlane.ipsec.esp.EspSealJob;
import dev.cipherlane.ipsec.esp.EspStageParams;
import dev.cipherlane.ipsec.parallel.ParallelComplete;
import dev.cipherlane.ipsec.parallel.ParallelRing;
import dev.cipherlane.ipsec.parallel.ParallelSubmit;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.forwarding.ForwardingGraph;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.swap.StageCatalog;
import dev.cipherlane.stages.swap.StageProvider;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where ESP's AES-GCM runs. With {@code ipsec.crypto-threads = 0}, on the workers:
 * {@code esp-encrypt} and {@code esp-decrypt} in the graph. With N threads, one SA is spread
 * over cores (DESIGN.md, "Threads and Disruptor rings"):
 *
 * <pre>
 * ipip-encap ─esp→ esp-encrypt-prepare ─seal→ esp-seal-submit ⇒ [N crypto threads] ⇒
 *     esp-seal-complete (last worker, ring order) ─next→ ip4-rewrite
 * ip4-local ─esp→ esp-decrypt-check ─open→ esp-open-submit ⇒ [N crypto threads] ⇒
 *     esp-open-complete (last worker) ─next→ esp-decrypt-finish ─ipip→ ipip-decap
 *                 └ike→ (the node's own traffic)
 * </pre>
 *
 * Sequence numbers are taken in {@code esp-encrypt-prepare}, the replay window checked in
 * {@code esp-decrypt-check} and updated in {@code esp-decrypt-finish} after the ICV passed;
 * the rings hand batches back in the order they went in. The last worker drains both rings,
 * so with two workers transmission moves off the worker that reads the pod.
 */
final class CryptoWiring {
    private static final Logger LOG = LoggerFactory.getLogger(CryptoWiring.class);

    private CryptoWiring() {}

    /**
     * What the inline ESP stages can be swapped to: a new instance of their own class
     * ({@value StageCatalog#BUILTIN}) with the running parameters. The SAs, their sequence
     * numbers, replay windows and counters live in the SA table those parameters read, and the
     * per-worker engines are used by one worker at a time, so the new instance carries on where
     * the old one was; what the stages hold themselves is scratch for one frame. The parallel
     * stages (ipsec.crypto-threads > 0) own ring positions and have no provider.
     */
    static List<StageProvider> providers(String version) {
        return List.of(
                StageProvider.of(EspEncrypt.NAME, StageCatalog.BUILTIN, version, EspStageParams.class, EspEncrypt::new),
                StageProvider.of(EspDecrypt.NAME, StageCatalog.BUILTIN, version, EspStageParams.class,
                        EspDecrypt::new));
    }

    /** The worker that drains the crypto rings. */
    static int consumer(int workers) {
        return workers - 1;
    }

    /**
     * Resolves ipsec.engine once, for every worker and crypto thread alike, and logs the one
     * line saying which engine runs and why ("auto" says what it found).
     *
     * @throws IllegalStateException when ipsec-mb is asked for by name and unavailable
     */
    static EngineChoice engine(IpsecSettings settings) {
        EngineChoice choice = AeadEngines.resolve(settings.engine());
        LOG.info("ipsec crypto engine: {}", choice);
        return choice;
    }

    /**
     * Adds the ESP stages to {@code b}; rings made here, of {@code ringSize} slots
     * (dataplane.ring-size), are added to {@code rings} for the caller to stop.
     */
    static ForwardingGraph.Esp add(Graph.Builder b, IpsecSettings settings, EngineChoice choice,
            TunnelSecurity security, PacketMemory memory, int workers, int ringSize,
            List<ParallelRing<AeadEngine>> rings) {
        String engine = choice.engine();
        if (settings.cryptoThreads() == 0) {
            b.add(new EspEncrypt(new EspStageParams(security::snapshot, AeadEngines.perWorker(engine, workers))))
                    .add(new EspDecrypt(new EspStageParams(security::snapshot, AeadEngines.perWorker(engine, workers))));
            return ForwardingGraph.Esp.inline(EspEncrypt.NAME, EspDecrypt.NAME);
        }
        int threads = settings.cryptoThreads();
        ParallelRing<AeadEngine> seal = new ParallelRing<>("esp-seal", memory, ringSize, threads,
                k -> AeadEngines.create(engine));
        rings.add(seal);
        ParallelRing<AeadEngine> open = new ParallelRing<>("esp-open", memory, ringSize, threads,
                k -> AeadEngines.create(engine));
        rings.add(open);
        int consumer = consumer(workers);
        b.add(new EspEncryptPrepare(new EspEncryptPrepare.Params(security::snapshot)))
                .add(new ParallelSubmit<>("esp-seal-submit",
                        new ParallelSubmit.Params<>(seal, new EspSealJob(security::snapshot))))
                .add(new ParallelComplete<>("esp-seal-complete", EspSealJob.REASONS,
                        new ParallelComplete.Params<>(seal, consumer)))
                .add(new EspDecryptCheck(new EspDecryptCheck.Params(security::snapshot)))
                .add(new ParallelSubmit<>("esp-open-submit",
                        new ParallelSubmit.Params<>(open, new EspOpenJob(security::snapshot))))
                .add(new ParallelComplete<>("esp-open-complete", EspOpenJob.REASONS,
                        new ParallelComplete.Params<>(open, consumer)))
                .add(new EspDecryptFinish(new EspDecryptFinish.Params(security::snapshot)))
                .connect(EspEncryptPrepare.NAME, "seal", "esp-seal-submit")
                .connect(EspDecryptCheck.NAME, "open", "esp-open-submit")
                .connect("esp-open-complete", "next", EspDecryptFinish.NAME);
        return new ForwardingGraph.Esp(EspEncryptPrepare.NAME, "esp-seal-complete", "next", EspDecryptCheck.NAME,
                EspDecryptFinish.NAME, "ipip", EspDecryptCheck.NAME);
    }
}
