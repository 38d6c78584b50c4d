package dev.cipherlane.config;

import dev.cipherlane.net.IpAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The kernel interface the node takes over, as vpp-manager does: the node service serves
 * the interface's address itself and gives the kernel a host tap carrying it, so the node's
 * own traffic still works. Without one the node only connects its pods to each other.
 *
 * @param interfaceName   uplink.interface, the interface to take over; empty for no uplink
 * @param hostTap         uplink.host-tap, the tap that gives the kernel the node's addresses back
 * @param tunnelAddresses uplink.tunnel-addresses, extra local IPv4 addresses used as tunnel
 *                        sources besides the uplink's own address (learnt from the kernel at
 *                        start, so not listed here); distinct
 * @param mtu             uplink.mtu, the uplink's MTU
 * @param offloads        uplink.offloads: virtio-net headers and UDP segmentation on its packet sockets
 * @param driver          uplink.driver: AF_PACKET rings, or our AVF driver
 * @param avf             uplink.avf: the VF, used when {@code driver} is {@link UplinkDriver#AVF}
 */
public record UplinkSettings(Optional<String> interfaceName, String hostTap, List<IpAddress> tunnelAddresses, int mtu,
                             boolean offloads, UplinkDriver driver, AvfUplinkSettings avf) {

    /** Every IPv4 host must take 576-byte datagrams (RFC 791); the underlay is IPv4 for now. */
    public static final int MIN_MTU = 576;
    /** The usual jumbo-frame size. */
    public static final int MAX_MTU = 9000;

    /** reference.conf's uplink, for settings built in code; a test checks the two agree. */
    public static final UplinkSettings DEFAULTS = new UplinkSettings(Optional.empty(), "cl-host", List.of(), 1500, true,
            UplinkDriver.AFPACKET, AvfUplinkSettings.DEFAULTS);

    public UplinkSettings {
        Objects.requireNonNull(interfaceName, "interfaceName");
        interfaceName.ifPresent(name -> {
            if (!InterfaceNames.isValidName(name)) {
                throw new IllegalArgumentException("bad uplink interface name " + name);
            }
        });
        Objects.requireNonNull(hostTap, "hostTap");
        if (!InterfaceNames.isValidName(hostTap)) {
            throw new IllegalArgumentException("bad host tap name " + hostTap);
        }
        if (interfaceName.filter(hostTap::equals).isPresent()) {
            throw new IllegalArgumentException("host tap " + hostTap + " has the uplink's name");
        }
        tunnelAddresses = List.copyOf(tunnelAddresses);
        if (new HashSet<>(tunnelAddresses).size() != tunnelAddresses.size()) {
            throw new IllegalArgumentException("uplink repeats a tunnel address");
        }
        for (IpAddress address : tunnelAddresses) {
            PeerSettings.underlayProblem(address).ifPresent(reason -> {
                throw new IllegalArgumentException("tunnel address " + address + " is " + reason);
            });
        }
        Bounds.check("uplink.mtu", mtu, MIN_MTU, MAX_MTU);
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(avf, "avf");
        if (driver == UplinkDriver.AVF && interfaceName.isEmpty()) {
            throw new IllegalArgumentException("uplink.driver = \"avf\" needs uplink.interface");
        }
    }

    /** Settings on AF_PACKET, as reference.conf has them. */
    public UplinkSettings(Optional<String> interfaceName, String hostTap, List<IpAddress> tunnelAddresses, int mtu,
                          boolean offloads) {
        this(interfaceName, hostTap, tunnelAddresses, mtu, offloads, UplinkDriver.AFPACKET, AvfUplinkSettings.DEFAULTS);
    }

    /** Settings with offloads on, as reference.conf has them. */
    public UplinkSettings(Optional<String> interfaceName, String hostTap, List<IpAddress> tunnelAddresses, int mtu) {
        this(interfaceName, hostTap, tunnelAddresses, mtu, true);
    }

    /** Whether the node has an uplink at all; without one it can have no peers. */
    public boolean enabled() {
        return interfaceName.isPresent();
    }
}
