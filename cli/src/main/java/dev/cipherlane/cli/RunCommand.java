package dev.cipherlane.cli;

import dev.cipherlane.supervisor.NodeService;

import dev.cipherlane.config.ConfigValidationException;
import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.NodeSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the node service until SIGTERM or SIGINT.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "<file>",
            description = "Node config file (HOCON), layered over the built-in defaults.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws ConfigValidationException {
        // Validate before anything heavy starts, so a bad file is refused in milliseconds.
        NodeSettings settings = NodeConfigLoader.load(config);
        return NodeService.runUntilStopped(settings, config, spec.commandLine().getErr());
    }
}
