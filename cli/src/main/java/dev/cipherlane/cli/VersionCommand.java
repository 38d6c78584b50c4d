package dev.cipherlane.cli;

import dev.cipherlane.supervisor.ExitStatus;
import dev.cipherlane.supervisor.Version;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
public final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("cipherlane " + Version.current());
        return ExitStatus.OK;
    }
}
