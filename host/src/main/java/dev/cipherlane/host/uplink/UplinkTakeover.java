package dev.cipherlane.host.uplink;

import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.IfAddress;
import dev.cipherlane.linux.Link;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Nftables;
import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.linux.TapQueues;
import dev.cipherlane.linux.TapSpec;
import dev.cipherlane.linux.files.DurableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes the node's addresses off a kernel interface so the data path can serve them, the
 * way vpp-manager does (DESIGN.md, "Uplink"), and gives them back.
 *
 * <p>{@link #take}: records the uplink in {@code <stateDir>/uplink.state} before touching
 * anything, then moves its addresses and routes to a persistent host tap with the same MAC
 * and MTU (so the node's own traffic still works, and neighbours' caches stay right), and
 * hides the uplink's frames from the kernel with a netdev ingress drop chain (else the weak
 * host model would have the kernel answer for addresses it now holds on the tap).
 *
 * <p>{@link #restore}: undoes all of it from the state file alone, so the same call serves
 * a normal exit and the next start after a crash. Every step tolerates being done already,
 * so a restore interrupted by another crash is simply run again.
 *
 * <p>Everything happens in the calling thread's network namespace (wrap the calls in
 * {@link dev.cipherlane.linux.NetNamespace#runIn} for another). Control path only.
 */
public final class UplinkTakeover {
    private UplinkTakeover() {}

    public static final String STATE_FILE = "uplink.state";
    public static final String NFT_TABLE = "cipherlane";
    public static final String NFT_CHAIN = "uplink-ingress";

    /**
     * The IFA_F_* bits a user sets when adding an address (the kernel masks the others
     * away, or sets them itself): kept so the address comes back configured the same.
     */
    static final int CONFIGURED_ADDRESS_FLAGS = IfAddress.IFA_F_NODAD | 0x10 /* HOMEADDRESS */
            | 0x100 /* MANAGETEMPADDR */ | IfAddress.IFA_F_NOPREFIXROUTE | 0x400 /* MCAUTOJOIN */;

    /**
     * Takes {@code uplink} over, creating {@code hostTap}. Refuses while a state file exists:
     * that uplink is still taken (or a crash left it so), and recording it now would record
     * it without its addresses; {@link #restore} first. Refuses, before writing anything,
     * an uplink without an Ethernet MAC and a host tap name some other kind of interface has
     * ({@link IllegalArgumentException}). Should a step fail, what was done is undone.
     */
    public static TakenUplink take(String uplink, String hostTap, Path stateDir) throws IOException {
        Path file = stateDir.resolve(STATE_FILE);
        if (Files.exists(file)) {
            throw new IOException(file + " exists: an uplink is still taken over (or a crash left it so); "
                    + "restore it first");
        }
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            UplinkState state = UplinkSnapshot.read(rtnl, uplink, hostTap);
            checkHostTapName(rtnl, hostTap);
            int uplinkIndex = rtnl.linkIndex(uplink);
            DurableFile.replace(file, UplinkStateFormat.encode(state), DurableFile.OWNER_ONLY);
            TapQueues tap = null;
            try {
                tap = TapQueues.open(hostTapSpec(hostTap));
                int tapIndex = rtnl.linkIndex(hostTap);
                // MAC and MTU while still down; up before the addresses, since the kernel
                // adds connected routes, and accepts routes, only on an up interface.
                rtnl.linkSetMac(tapIndex, state.mac());
                rtnl.linkSetMtu(tapIndex, state.mtu());
                rtnl.linkSetUp(tapIndex);
                // Secondaries before their primary: deleting a primary takes its secondaries along.
                for (UplinkAddress a : state.addresses().reversed()) {
                    deleteAddress(rtnl, uplinkIndex, a);
                }
                for (UplinkAddress a : state.addresses()) {
                    // The address was in use on the uplink already: no second duplicate detection.
                    int flags = a.isIpv4() ? a.flags() : a.flags() | IfAddress.IFA_F_NODAD;
                    addAddress(rtnl, tapIndex, new UplinkAddress(a.address(), a.prefixLength(), flags));
                }
                List<IOException> failures = addRoutes(rtnl, tapIndex, state.routes());
                if (!failures.isEmpty()) {
                    throw failures.getFirst();
                }
                try (Nftables nft = Nftables.open()) {
                    nft.installIngressDrop(NFT_TABLE, NFT_CHAIN, uplink);
                }
                return new TakenUplink(uplink, uplinkIndex, state.mac(), state.mtu(), state.addresses(), tap);
            } catch (IOException | RuntimeException e) {
                // Half a takeover would leave the node unreachable: put everything back.
                try {
                    if (tap != null) {
                        tap.close();
                    }
                    restore(stateDir);
                } catch (IOException | RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
        }
    }

    /**
     * Undoes a takeover recorded in {@code <stateDir>/uplink.state}: deletes the nft table,
     * the host tap (its addresses and routes go with it), puts the addresses and routes back
     * on the uplink, and last deletes the state file. Returns false, having done nothing,
     * when there is no state file. A step that fails leaves the file for another try.
     *
     * @throws UplinkStateException the file is corrupt (file:line in the message)
     */
    public static boolean restore(Path stateDir) throws IOException {
        Path file = stateDir.resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return false;
        }
        UplinkState state = UplinkStateFormat.decode(file, Files.readAllBytes(file));
        try (Nftables nft = Nftables.open()) {
            nft.deleteTable(NFT_TABLE);
        }
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            List<IOException> failures = new ArrayList<>();
            try {
                deleteHostTap(rtnl, state.hostTap());
            } catch (LinuxException e) {
                // The uplink's addresses matter more than a tap we could not delete.
                failures.add(e);
            }
            int uplinkIndex = rtnl.linkIndex(state.uplink());
            for (UplinkAddress a : state.addresses()) {
                try {
                    addAddress(rtnl, uplinkIndex, a);
                } catch (LinuxException e) {
                    failures.add(e);
                }
            }
            failures.addAll(addRoutes(rtnl, uplinkIndex, state.routes()));
            if (!failures.isEmpty()) {
                // Do all that can be done, then report; the file stays for the next attempt.
                IOException e = new IOException("restoring " + state.uplink() + " from " + file + ": "
                        + failures.size() + " step(s) failed, first: " + failures.getFirst().getMessage());
                failures.forEach(e::addSuppressed);
                throw e;
            }
        }
        DurableFile.delete(file);
        return true;
    }

    /**
     * One queue, persistent so a crash leaves it for restore to find, and no offloads: the kernel then segments and checksums its own traffic before
     * the tap, so what reaches the uplink is never larger than its MTU. The node's own traffic
     * is light; the offloads matter on the pods' taps, not here.
     */
    static TapSpec hostTapSpec(String name) {
        return new TapSpec(name, 1, TapSpec.DEFAULT_VNET_HEADER_SIZE, 0, true);
    }

    /**
     * A tap of that name may be reattached (it is persistent), anything else must not be
     * touched: checked before the state file names it, since restore would delete it.
     */
    private static void checkHostTapName(Rtnetlink rtnl, String name) throws LinuxException {
        try {
            Link existing = rtnl.link(name);
            if (!"tun".equals(existing.kind())) {
                throw new IllegalArgumentException("host tap name " + name + " is taken by a " + existing.kind()
                        + " interface");
            }
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    private static void deleteHostTap(Rtnetlink rtnl, String name) throws LinuxException {
        Link link;
        try {
            link = rtnl.link(name);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) {
                return; // already gone
            }
            throw e;
        }
        if (!"tun".equals(link.kind())) {
            // The state file names it; never delete something that is not our tap.
            throw new LinuxException("RTM_DELLINK dev " + name, Errno.EINVAL,
                    "not deleted: it is a " + link.kind() + ", not the host tap");
        }
        rtnl.linkDelete(link.index());
    }

    private static void deleteAddress(Rtnetlink rtnl, int index, UplinkAddress a) throws LinuxException {
        try {
            rtnl.addressDelete(index, a.address(), a.prefixLength());
        } catch (LinuxException e) {
            if (e.errno() != Errno.EADDRNOTAVAIL) {
                throw e;
            }
        }
    }

    private static void addAddress(Rtnetlink rtnl, int index, UplinkAddress a) throws LinuxException {
        try {
            rtnl.addressAdd(index, a.address(), a.prefixLength(), a.flags());
        } catch (LinuxException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    /**
     * Adds {@code routes} through interface {@code index}, connected ones first (a gateway
     * route needs one to its gateway). Routes already there (EEXIST), such as the connected
     * routes the kernel adds with each address, are fine. Returns the failures.
     */
    private static List<IOException> addRoutes(Rtnetlink rtnl, int index, List<SavedRoute> routes) {
        List<IOException> failures = new ArrayList<>();
        for (boolean viaGateway : new boolean[] {false, true}) {
            for (SavedRoute r : routes) {
                if (r.viaGateway() != viaGateway) {
                    continue;
                }
                try {
                    rtnl.routeAdd(r.on(index));
                } catch (LinuxException e) {
                    if (e.errno() != Errno.EEXIST) {
                        failures.add(e);
                    }
                }
            }
        }
        return failures;
    }
}
