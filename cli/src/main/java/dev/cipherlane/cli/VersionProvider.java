package dev.cipherlane.cli;

import dev.cipherlane.supervisor.Version;
import picocli.CommandLine;

/** Answers `cipherlane --version` the same way as `cipherlane version`. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"cipherlane " + Version.current()};
    }
}
