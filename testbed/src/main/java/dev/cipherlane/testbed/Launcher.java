package dev.cipherlane.testbed;


import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How the lab starts a {@code cipherlane} process inside a node's namespace.
 *
 * <p>The normal way is the real launcher, {@code <repo>/bin/cipherlane}, exactly as an
 * operator runs it. The launcher rebuilds the tree when sources are newer than its last
 * build, so {@link #prepare} runs it once before the nodes start: one build, not one per
 * node at the same time. Where no repository can be found (the supervisor jar copied
 * elsewhere), or when system property {@value #PROPERTY} is {@code jvm}, the lab runs what
 * the launcher would exec: this JVM's {@code java} with the same flags and this JVM's class
 * path. That keeps test runs on a tree that others are editing from rebuilding it.
 *
 * @param prefix      the command, before the {@code cipherlane} arguments
 * @param environment added to the child's environment
 * @param script      whether {@code prefix} is the launcher script (which may build)
 */
public record Launcher(List<String> prefix, Map<String, String> environment, boolean script) {
    /** System property choosing the launcher: {@code script} (the default) or {@code jvm}. */
    public static final String PROPERTY = "cipherlane.lab.launcher";
    public static final String SCRIPT = "bin/cipherlane";
    /** The class bin/cipherlane runs (the cli module's; named, not linked: the lab sits below it). */
    public static final String MAIN_CLASS = "dev.cipherlane.cli.Main";
    /** The first build of the tree on a busy 2-core machine takes minutes. */
    public static final Duration BUILD_LIMIT = Duration.ofMinutes(15);

    public Launcher {
        prefix = List.copyOf(prefix);
        environment = Map.copyOf(environment);
    }

    /** As {@value #PROPERTY} asks: the repository's launcher if there is one, else this JVM. */
    public static Launcher find() {
        String choice = System.getProperty(PROPERTY, "script");
        return switch (choice) {
            case "jvm" -> thisJvm();
            case "script" -> repositoryRoot().map(Launcher::script).orElseGet(Launcher::thisJvm);
            default -> throw new IllegalArgumentException(PROPERTY + " must be script or jvm, got " + choice);
        };
    }

    /** {@code <root>/bin/cipherlane}, with this JVM's home as its JAVA_HOME. */
    public static Launcher script(Path root) {
        return new Launcher(List.of(root.resolve(SCRIPT).toString()),
                Map.of("JAVA_HOME", System.getProperty("java.home")), true);
    }

    /** What bin/cipherlane execs, with this JVM's java and class path. */
    public static Launcher thisJvm() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        String opts = System.getenv("CIPHERLANE_JAVA_OPTS");
        command.addAll(opts == null || opts.isBlank() ? List.of("-Xmx1g", "-XX:+UseParallelGC")
                : List.of(opts.strip().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS));
        return new Launcher(command, Map.of(), false);
    }

    /**
     * The directory holding bin/cipherlane: searched upward from the working directory, then
     * from where this class was loaded (a repository's supervisor/target/...).
     */
    public static Optional<Path> repositoryRoot() {
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of(System.getProperty("user.dir")).toAbsolutePath());
        CodeSource source = Launcher.class.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            try {
                starts.add(Path.of(source.getLocation().toURI()).toAbsolutePath());
            } catch (URISyntaxException | IllegalArgumentException notAFile) {
                // Loaded from something other than a file: only the working directory counts.
            }
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                if (Files.isExecutable(dir.resolve(SCRIPT))) {
                    return Optional.of(dir);
                }
            }
        }
        return Optional.empty();
    }

    /** The full command running {@code cipherlane <args>} inside {@code netns}. */
    public List<String> command(String netns, List<String> args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(args);
        return Commands.inNamespace(netns, command);
    }

    /**
     * Makes sure the launcher is ready to start nodes quickly: runs {@code cipherlane version}
     * once, which builds the tree first if the launcher finds it out of date.
     */
    public void prepare() throws IOException, InterruptedException {
        if (!script) {
            return;
        }
        List<String> command = new ArrayList<>(prefix);
        command.add("version");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Path log = Files.createTempFile("cipherlane-launcher", ".txt");
        try {
            Process p = pb.redirectOutput(log.toFile()).start();
            if (!p.waitFor(BUILD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + BUILD_LIMIT.toMinutes()
                        + " min:\n" + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n"
                        + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Override
    public String toString() {
        return script ? prefix.getFirst() : "java -cp <this JVM's class path> " + MAIN_CLASS;
    }
}
