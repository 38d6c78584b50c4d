package dev.cipherlane.supervisor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.slf4j.LoggerFactory;

/** The actor system's configuration: our pekko.conf over Pekko's defaults. */
public final class PekkoConfig {

    private static final String RESOURCE = "dev/cipherlane/supervisor/pekko.conf";

    private PekkoConfig() {
    }

    /**
     * A named resource instead of application.conf, so that whatever else on the classpath
     * brings an application.conf cannot change how the node service runs.
     */
    public static Config load() {
        // Every actor system gets its config here, so this is the place to set up slf4j on
        // the caller's thread first; otherwise Pekko's threads race to initialise it and it
        // warns about replayed log events.
        LoggerFactory.getILoggerFactory();
        ClassLoader loader = PekkoConfig.class.getClassLoader();
        return ConfigFactory.load(loader, ConfigFactory.parseResources(loader, RESOURCE));
    }
}
