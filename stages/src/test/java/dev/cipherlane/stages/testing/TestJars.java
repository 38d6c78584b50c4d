package dev.cipherlane.stages.testing;

import dev.cipherlane.stages.swap.StageProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds stage jars for tests: sources compiled with the JDK's compiler, then jarred. */
public final class TestJars {
    private TestJars() {}

    /**
     * A jar at {@code jar} of {@code sources} (class name to source) compiled against the
     * stages' classes and {@code classpath}, declaring {@code providers} as its StageProvider
     * services (none: no services file).
     */
    public static Path build(Path jar, Map<String, String> sources, List<String> providers, Path... classpath)
            throws IOException {
        Path work = Files.createTempDirectory(jar.getParent(), "src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "25", "-classpath",
                classpath(classpath)));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = work.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter out = new StringWriter();
        int rc = javac.run(null, null, null, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed (" + rc + ") " + out);
        }
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o)) {
            if (!providers.isEmpty()) {
                j.putNextEntry(new JarEntry("META-INF/services/" + StageProvider.class.getName()));
                j.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    j.write(Files.readAllBytes(f));
                    j.closeEntry();
                }
            }
        }
        return jar;
    }

    /** Where {@code c} was loaded from: a directory or a jar. */
    public static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String classpath(Path... extra) {
        StringBuilder cp = new StringBuilder(location(StageProvider.class).toString());
        for (Path p : extra) {
            cp.append(java.io.File.pathSeparator).append(p);
        }
        return cp.toString();
    }
}
