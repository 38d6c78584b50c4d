package dev.cipherlane.supervisor;

import dev.cipherlane.supervisor.admin.FailureText;
import dev.cipherlane.config.NodeSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One node service: the actor system under {@link NodeGuardian}, from start to exit status. */
public final class NodeService {

    /** Why coordinated shutdown ran when the operator asked for it. */
    record SignalReason(String signal) implements CoordinatedShutdown.Reason {
        @Override
        public String toString() {
            return signal;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);

    private NodeService() {
    }

    /**
     * Runs until SIGTERM or SIGINT (then {@link ExitStatus#OK}) or until the node cannot go
     * on (then one line on {@code err} and {@link ExitStatus#FAILURE}).
     */
    public static int runUntilStopped(NodeSettings settings, PrintWriter err) {
        return runUntilStopped(settings, null, err);
    }

    /** As {@link #runUntilStopped(NodeSettings, PrintWriter)}, reloading {@code configFile} when asked or changed. */
    public static int runUntilStopped(NodeSettings settings, Path configFile, PrintWriter err) {
        LOG.info("starting node {}", settings.name());
        CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(NodeGuardian.create(settings, configFile, fatal), "cipherlane", PekkoConfig.load());
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        TerminationSignals.onTermination(signal -> shutdown.runAll(new SignalReason(signal)));

        system.getWhenTerminated().toCompletableFuture().join();

        Throwable cause = fatal.getNow(null);
        if (cause != null) {
            err.println("cipherlane: " + FailureText.of(cause));
            return ExitStatus.FAILURE;
        }
        if (shutdown.getShutdownReason().orElse(null) instanceof SignalReason) {
            return ExitStatus.OK;
        }
        err.println("cipherlane: node service stopped for " + shutdown.getShutdownReason().orElse(null));
        return ExitStatus.FAILURE;
    }
}
