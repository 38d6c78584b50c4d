package dev.cipherlane.stages.swap;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;

/**
 * A jar of stage implementations in its own class loader, a child of the one that loaded
 * the stages: the jar's classes see the SPI and the built-in stages, and the node's classes
 * never see the jar's. Only providers the jar itself declares count (the loader also sees its
 * parent's). Closing closes the loader; once nothing refers to its classes, it and they can be
 * collected.
 */
public final class StageJar implements AutoCloseable {
    private final Path path;
    private final URLClassLoader loader;
    private final List<StageProvider> providers;

    private StageJar(Path path, URLClassLoader loader, List<StageProvider> providers) {
        this.path = path;
        this.loader = loader;
        this.providers = List.copyOf(providers);
    }

    /** Opens {@code jar}; refuses a missing file, one that is not a jar, and a jar with no provider. */
    public static StageJar open(Path jar) throws SwapRefused {
        Path path = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new SwapRefused(path + ": no such file");
        }
        try (JarFile f = new JarFile(path.toFile())) {
            if (f.getEntry("META-INF/services/" + StageProvider.class.getName()) == null) {
                throw new SwapRefused(path + ": the jar declares no " + StageProvider.class.getName()
                        + " (no META-INF/services/" + StageProvider.class.getName() + ")");
            }
        } catch (IOException e) {
            throw new SwapRefused(path + ": not a jar (" + e.getMessage() + ")", e);
        }
        URLClassLoader loader;
        try {
            loader = new URLClassLoader("stage-jar:" + path.getFileName(), new URL[] {path.toUri().toURL()},
                    StageProvider.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new SwapRefused(path + ": " + e.getMessage(), e);
        }
        List<StageProvider> found = new ArrayList<>();
        try {
            for (StageProvider p : ServiceLoader.load(StageProvider.class, loader)) {
                if (p.getClass().getClassLoader() == loader) {
                    found.add(p);
                }
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            closeQuietly(loader);
            throw new SwapRefused(path + ": its stage provider cannot be loaded: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            closeQuietly(loader);
            throw new SwapRefused(path + ": the jar's " + StageProvider.class.getName()
                    + " services name no class of the jar");
        }
        return new StageJar(path, loader, found);
    }

    public Path path() {
        return path;
    }

    /** The jar's provider for {@code stage}, or why it has none. */
    public StageProvider provider(String stage) throws SwapRefused {
        List<String> offered = new ArrayList<>();
        for (StageProvider p : providers) {
            if (p.stage().equals(stage)) {
                return p;
            }
            offered.add(p.stage());
        }
        throw new SwapRefused(path + " has no implementation of " + stage + "; it implements " + offered);
    }

    @Override
    public void close() {
        closeQuietly(loader);
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // The loader's open jar is closed as far as it can be; nothing else to do.
        }
    }
}
