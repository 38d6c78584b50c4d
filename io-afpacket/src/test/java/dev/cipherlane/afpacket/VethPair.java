package dev.cipherlane.afpacket;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.testbed.Namespace;
import dev.cipherlane.testbed.Wire;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Two fresh namespaces {@code clafa-<random>} and {@code clafb-<random>} joined by a testbed
 * {@link Wire}, {@link #A_LINK} in the first and {@link #B_LINK} in the second, both up,
 * IPv6 off (so neither kernel sends router or neighbour solicitations into the test) and no
 * addresses: the frames are built by the tests and only AF_PACKET sees them. What this
 * driver adds is the rings: {@link #openA} and {@link #openB} open them on either end, and
 * {@link #close()} closes them before it deletes both namespaces (the veth goes with them);
 * tests call it from {@code @AfterEach}.
 */
final class VethPair implements AutoCloseable {
    static final String A_LINK = "va";
    static final String B_LINK = "vb";

    final Namespace a;
    final Namespace b;
    final NetNamespace nsA;
    final NetNamespace nsB;
    final int indexA;
    final int indexB;
    /** Rings opened on either end, closed first by {@link #close()}. */
    private final List<PacketRing> rings = new ArrayList<>();

    private VethPair(Namespace a, Namespace b, Wire wire) {
        this.a = a;
        this.b = b;
        this.nsA = a.handle();
        this.nsB = b.handle();
        this.indexA = wire.indexA();
        this.indexB = wire.indexB();
    }

    static VethPair create() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<Namespace> made = new ArrayList<>();
        try {
            made.add(Namespace.create("clafa-" + tag));
            made.add(Namespace.create("clafb-" + tag));
            for (Namespace ns : made) {
                ns.disableIpv6();
            }
            Wire wire = Wire.join(made.get(0), A_LINK, made.get(1), B_LINK, 0).up();
            return new VethPair(made.get(0), made.get(1), wire);
        } catch (Exception | Error e) {
            for (Namespace ns : made) {
                try {
                    ns.close();
                } catch (LinuxException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Opens a ring on the veth end in namespace A, from this thread visiting it. */
    PacketRing openA(PacketRing.Config config) throws LinuxException {
        PacketRing r = nsA.runIn(() -> PacketRing.open(indexA, config));
        rings.add(r);
        return r;
    }

    /** Opens a ring on the veth end in namespace B. */
    PacketRing openB(PacketRing.Config config) throws LinuxException {
        PacketRing r = nsB.runIn(() -> PacketRing.open(indexB, config));
        rings.add(r);
        return r;
    }

    @Override
    public void close() throws IOException {
        List<Exception> failures = new ArrayList<>();
        for (PacketRing r : rings) {
            try {
                r.close();
            } catch (LinuxException e) {
                failures.add(e);
            }
        }
        for (Namespace ns : List.of(a, b)) {
            try {
                ns.close();
            } catch (LinuxException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IOException e = new IOException("cleaning up " + a + " and " + b);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
