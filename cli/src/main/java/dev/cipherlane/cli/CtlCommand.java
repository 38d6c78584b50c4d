package dev.cipherlane.cli;

import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.supervisor.admin.AdminCommands;
import dev.cipherlane.supervisor.admin.AdminRequest;

import dev.cipherlane.config.ConfigValidationException;
import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.linux.UnixRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Send a command to the running node service and print its answer.")
public final class CtlCommand implements Callable<Integer> {

    /** Where the service listens: named directly, or read from its config file. */
    static final class Target {
        @Option(names = "--socket", paramLabel = "<path>", description = "Admin socket of the node service.")
        Path socket;

        @Option(names = "--config", paramLabel = "<file>", description = "Node config file naming the admin socket.")
        Path config;
    }

    @ArgGroup(exclusive = true)
    Target target;

    @Parameters(arity = "1..*", paramLabel = "<word>", description = "The command, e.g. `version` or `show config`.")
    List<String> words;

    @Option(names = "--jar", paramLabel = "<file>",
            description = "For `stage upgrade <slot>`: the stage jar, sent as an absolute path.")
    Path jar;

    @Option(names = "--json", description = "Answer as one line of JSON (version and the show commands).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws ConfigValidationException, IOException {
        Path socket = socket();
        try {
            String reply = UnixRequest.request(socket, CtlRequest.line(commandWords(), json), UnixRequest.DEFAULT_TIMEOUT);
            // An error is one line (PROTOCOL.md): the operator's shell and scripts see it fail.
            if (reply.startsWith(AdminCommands.ERROR)) {
                spec.commandLine().getErr().print("cipherlane: " + reply.substring(AdminCommands.ERROR.length()));
                spec.commandLine().getErr().flush();
                return ExitStatus.FAILURE;
            }
            spec.commandLine().getOut().print(reply);
            spec.commandLine().getOut().flush();
            return ExitStatus.OK;
        } catch (UnixRequest.NotListeningException e) {
            spec.commandLine().getErr().println("cipherlane: no node service listening on " + socket);
            return ExitStatus.FAILURE;
        }
    }

    /** The words, and the jar resolved here: the service's working directory is not ours. */
    /** The words, and the jar of a stage upgrade as an absolute path: the service has another working directory. */
    private List<String> commandWords() {
        if (jar == null) {
            return words;
        }
        List<String> all = new ArrayList<>(words);
        all.add(AdminRequest.JAR);
        all.add(jar.toAbsolutePath().normalize().toString());
        return all;
    }

    private Path socket() throws ConfigValidationException {
        if (target != null && target.socket != null) {
            return target.socket;
        }
        if (target != null && target.config != null) {
            return NodeConfigLoader.load(target.config).admin().socket();
        }
        return NodeConfigLoader.defaults().admin().socket();
    }
}
