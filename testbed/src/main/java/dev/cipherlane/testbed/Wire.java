package dev.cipherlane.testbed;

import dev.cipherlane.linux.LinuxException;

/**
 * A veth pair joining two namespaces, the testbed's one kind of wire: end {@code nameA}
 * in {@code a}, end {@code nameB} in {@code b}, made in one rtnetlink request with the
 * peer created directly in {@code b} (so both ends may have the same name), both down until
 * {@link #up()}. It goes when either namespace goes.
 */
public record Wire(Namespace a, String nameA, int indexA, Namespace b, String nameB, int indexB) {
    /** Joins {@code a} and {@code b} with a veth pair of MTU {@code mtu} (0: the kernel's 1500). */
    public static Wire join(Namespace a, String nameA, Namespace b, String nameB, int mtu) throws LinuxException {
        a.rtnetlink().vethAdd(nameA, nameB, mtu, b.handle());
        return new Wire(a, nameA, a.linkIndex(nameA), b, nameB, b.linkIndex(nameB));
    }

    /** Both ends up. */
    public Wire up() throws LinuxException {
        a.rtnetlink().linkSetUp(indexA);
        b.rtnetlink().linkSetUp(indexB);
        return this;
    }

    @Override
    public String toString() {
        return a.name() + ":" + nameA + " = " + b.name() + ":" + nameB;
    }
}
