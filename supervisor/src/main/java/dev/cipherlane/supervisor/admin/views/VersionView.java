package dev.cipherlane.supervisor.admin.views;

/**
 * {@code version}: the node service's version and the admin protocol version it speaks, so a
 * client can check both before it relies on a view's shape.
 *
 * @param protocol the protocol version word, e.g. "v1"
 */
public record VersionView(String version, String protocol) implements OperatorView {
    @Override
    public String text() {
        return "cipherlane " + version + "\n";
    }
}
