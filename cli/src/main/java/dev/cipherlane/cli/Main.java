package dev.cipherlane.cli;

import dev.cipherlane.supervisor.ExitStatus;

import dev.cipherlane.supervisor.admin.FailureText;
import dev.cipherlane.config.ConfigProblem;
import dev.cipherlane.config.ConfigValidationException;
import dev.cipherlane.cli.demo.DemoCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The `cipherlane` command. Failures end in one readable line and an {@link ExitStatus},
 * never a stack trace: the operator needs to know what to fix, not where the code was.
 */
@Command(name = "cipherlane", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Userspace dataplane for encrypted container networking.",
        subcommands = {
            RunCommand.class,
            CtlCommand.class,
            VersionCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns the exit status, without exiting. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        CommandLine commandLine = new CommandLine(new Main())
                .setOut(outWriter)
                .setErr(errWriter)
                .setParameterExceptionHandler(Main::usageError)
                .setExecutionExceptionHandler(Main::failed);
        try {
            return commandLine.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** Bare `cipherlane`: say what it can do. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitStatus.FAILURE;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("cipherlane: " + e.getMessage()
                + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        return ExitStatus.FAILURE;
    }

    private static int failed(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (e instanceof ConfigValidationException invalid) {
            for (ConfigProblem problem : invalid.problems()) {
                err.println(problem.render());
            }
            return ExitStatus.CONFIG_INVALID;
        }
        err.println("cipherlane: " + FailureText.of(e));
        return ExitStatus.FAILURE;
    }
}
