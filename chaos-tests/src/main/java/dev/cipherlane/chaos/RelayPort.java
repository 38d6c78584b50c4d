package dev.cipherlane.chaos;

import dev.cipherlane.linux.IfReq;
import dev.cipherlane.linux.NetNamespace;

import java.util.Objects;

/**
 * One side of the relay: interface {@code interfaceName} inside {@code namespace} (null: the
 * namespace of the thread that opens the relay). The relay only borrows the namespace handle
 * to create its socket there; the caller keeps and closes it.
 */
public record RelayPort(NetNamespace namespace, String interfaceName) {
    public RelayPort {
        Objects.requireNonNull(interfaceName, "interfaceName");
        IfReq.checkName(interfaceName);
    }

    @Override
    public String toString() {
        return (namespace == null ? "" : namespace.path() + ":") + interfaceName;
    }
}
