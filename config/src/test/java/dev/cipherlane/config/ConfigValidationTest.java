package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every class of mistake gives exactly one line naming file, line, path, expectation and value. */
class ConfigValidationTest {

    @TempDir
    Path dir;

    private List<String> problems(String content) {
        return ConfigFiles.problems(ConfigFiles.write(dir, "bad.conf", content));
    }

    private String at(int line, String rest) {
        return dir.resolve("bad.conf") + ":" + line + ": " + rest;
    }

    @Test
    void outOfRangeInteger() {
        assertEquals(List.of(at(3, "cipherlane.dataplane.workers: expected an integer in 1..64, got 0")), problems("""
                cipherlane {
                  dataplane {
                    workers = 0
                  }
                }
                """));
    }

    @Test
    void faultInjectionIsOffByDefaultAndItsRateBounded() throws ConfigValidationException {
        assertEquals(FaultInjectionSettings.OFF, ConfigFiles.load(dir, "").dataplane().faultInjection());
        FaultInjectionSettings on = ConfigFiles.load(dir,
                "cipherlane.dataplane.fault-injection { stage = \"ip4-lookup\", one-in = 50 }").dataplane().faultInjection();
        assertEquals(new FaultInjectionSettings(java.util.Optional.of("ip4-lookup"), 50, false), on);
        assertEquals(List.of(at(1, "cipherlane.dataplane.fault-injection.one-in: expected an integer in 2..1000000000, got 1")),
                problems("cipherlane.dataplane.fault-injection.one-in = 1"));
        assertEquals(List.of(at(1, "cipherlane.dataplane.fault-injection.stage: expected a stage name, got \" gro\"")),
                problems("cipherlane.dataplane.fault-injection.stage = \" gro\""));
    }

    @Test
    void integerTooLargeForAnInt() {
        assertEquals(List.of(at(1, "cipherlane.dataplane.buffers.small: expected an integer in 1024..4194304, got 5000000000")),
                problems("cipherlane.dataplane.buffers.small = 5000000000"));
    }

    @Test
    void stringWhereIntegerExpected() {
        assertEquals(List.of(at(2, "cipherlane.dataplane.workers: expected an integer in 1..64, got \"2\"")), problems("""
                cipherlane.dataplane {
                  workers = "2"
                }
                """));
    }

    @Test
    void fractionWhereIntegerExpected() {
        assertEquals(List.of(at(1, "cipherlane.neighbour.max-entries: expected an integer in 16..1048576, got 100.5")),
                problems("cipherlane.neighbour.max-entries = 100.5"));
    }

    @Test
    void perInterfaceNeighbourLimitOutOfRange() {
        assertEquals(List.of(at(1, "cipherlane.neighbour.max-per-interface: expected an integer in 1..1048576, got 0")),
                problems("cipherlane.neighbour.max-per-interface = 0"));
    }

    @Test
    void nullValue() {
        assertEquals(List.of(at(1, "cipherlane.dataplane.workers: expected an integer in 1..64, got null")),
                problems("cipherlane.dataplane.workers = null"));
    }

    @Test
    void scalarWhereObjectExpected() {
        assertEquals(List.of(at(1, "cipherlane.dataplane: expected an object, got 4")),
                problems("cipherlane.dataplane = 4"));
    }

    @Test
    void ringSizeNotAPowerOfTwo() {
        assertEquals(List.of(at(1, "cipherlane.dataplane.ring-size: expected a power of two in 64..65536, got 1000")),
                problems("cipherlane.dataplane.ring-size = 1000"));
    }

    @Test
    void unknownKeySuggestsTheNearestKnownOne() {
        assertEquals(List.of(at(3, "cipherlane.dataplane.wokers: expected one of workers, buffers, ring-size, trace, idle, fault-injection"
                + " (did you mean workers?), got an unknown key")), problems("""
                cipherlane {
                  dataplane {
                    wokers = 4
                  }
                }
                """));
    }

    @Test
    void unknownKeyFarFromAnyKnownOne() {
        assertEquals(List.of(at(1, "cipherlane.neighbour.colour: expected one of reachable-time, max-entries, max-per-interface, got an unknown key")),
                problems("cipherlane.neighbour.colour = red"));
    }

    @Test
    void unknownTopLevelKey() {
        assertEquals(List.of(at(1, "cipherlan: expected only cipherlane, got an unknown key")),
                problems("cipherlan.node.name = x"));
    }

    @Test
    void durationWithoutUnit() {
        assertEquals(List.of(at(1, "cipherlane.neighbour.reachable-time: expected a duration in 1s..1h with a unit, like 30s, got 30")),
                problems("cipherlane.neighbour.reachable-time = 30"));
    }

    @Test
    void malformedDuration() {
        assertEquals(List.of(at(1, "cipherlane.neighbour.reachable-time: expected a duration in 1s..1h with a unit, like 30s,"
                + " got \"30 parsecs\"")), problems("cipherlane.neighbour.reachable-time = 30 parsecs"));
    }

    @Test
    void durationOutOfRange() {
        assertEquals(List.of(at(1, "cipherlane.neighbour.reachable-time: expected a duration in 1s..1h with a unit, like 30s,"
                + " got \"61m\"")), problems("cipherlane.neighbour.reachable-time = 61m"));
    }

    @Test
    void badNodeNameAndSocketPath() {
        assertEquals(List.of(
                at(1, "cipherlane.node.name: expected a node name of 1..253 letters, digits, '.', '_' or '-' starting with"
                        + " a letter or digit, got \"-node\""),
                at(2, "cipherlane.admin.socket: expected an absolute path of at most 107 bytes, got \"run/admin.sock\"")),
                problems("""
                        cipherlane.node.name = "-node"
                        cipherlane.admin.socket = "run/admin.sock"
                        """));
    }

    @Test
    void badStateDir() {
        assertEquals(List.of(at(2, "cipherlane.node.state-dir: expected an absolute path without '.' or '..' segments,"
                + " like /var/lib/cipherlane, got \"var/lib/cipherlane\"")), problems("""
                cipherlane.node.name = n1
                cipherlane.node.state-dir = "var/lib/cipherlane"
                """));
        assertEquals(List.of(at(1, "cipherlane.node.state-dir: expected an absolute path without '.' or '..' segments,"
                + " like /var/lib/cipherlane, got \"/var/lib/../cipherlane\"")),
                problems("cipherlane.node.state-dir = \"/var/lib/../cipherlane\""));
    }

    @Test
    void gatewaysMustBeLinkLocal() {
        assertEquals(List.of(
                at(2, "cipherlane.pod-network.gateway4: expected a link-local IPv4 address in 169.254.0.0/16 like"
                        + " 169.254.1.1, got \"10.0.0.1\""),
                at(3, "cipherlane.pod-network.gateway6: expected a link-local IPv6 address in fe80::/10 like fe80::1,"
                        + " got \"169.254.1.1\"")),
                problems("""
                        cipherlane.pod-network {
                          gateway4 = "10.0.0.1"
                          gateway6 = "169.254.1.1"
                        }
                        """));
    }

    @Test
    void multicastGatewayMac() {
        assertEquals(List.of(at(1, "cipherlane.pod-network.gateway-mac: expected a unicast MAC address (the lowest bit of"
                + " the first octet clear), got \"03:fe:00:00:00:01\"")),
                problems("cipherlane.pod-network.gateway-mac = \"03:fe:00:00:00:01\""));
    }

    @Test
    void podNetworkMtuBelowTheIpv6Minimum() {
        assertEquals(List.of(at(1, "cipherlane.pod-network.mtu: expected an integer in 1280..9000, got 576")),
                problems("cipherlane.pod-network.mtu = 576"));
    }

    @Test
    void unknownKeyInPodNetwork() {
        assertEquals(List.of(at(1, "cipherlane.pod-network.queue: expected one of gateway-mac, gateway4, gateway6, mtu,"
                + " queues, interface-name (did you mean queues?), got an unknown key")),
                problems("cipherlane.pod-network.queue = 2"));
    }

    @Test
    void badPodName() {
        assertEquals(List.of(at(2, "cipherlane.pods[0].name: expected a pod name of 1..63 lowercase letters, digits or '-',"
                + " starting and ending with a letter or digit, got \"Pod_A\"")), problems("""
                cipherlane.pods = [
                  { name = "Pod_A", netns = "pod-a", addresses = ["10.0.0.10"] }
                ]
                """));
        assertEquals(List.of(at(1, "cipherlane.pods[0].name: expected a pod name of 1..63 lowercase letters, digits or '-',"
                + " starting and ending with a letter or digit, got \"pod-\"")),
                problems("cipherlane.pods = [ { name = \"pod-\", netns = \"p\", addresses = [\"10.0.0.10\"] } ]"));
    }

    @Test
    void badNetns() {
        String rule = "expected a namespace name of lowercase letters, digits, '_', '.' or '-' under /run/netns,"
                + " or an absolute path like /proc/123/ns/net";
        assertEquals(List.of(at(1, "cipherlane.pods[0].netns: " + rule + ", got \"netns/pod-a\"")),
                problems("cipherlane.pods = [ { name = pod-a, netns = \"netns/pod-a\", addresses = [\"10.0.0.10\"] } ]"));
        assertEquals(List.of(at(1, "cipherlane.pods[0].netns: " + rule + ", got \"/proc/1/../2/ns/net\"")),
                problems("cipherlane.pods = [ { name = pod-a, netns = \"/proc/1/../2/ns/net\", addresses = [\"10.0.0.10\"] } ]"));
        assertEquals(List.of(at(1, "cipherlane.pods[0].netns: " + rule + ", got \"..\"")),
                problems("cipherlane.pods = [ { name = pod-a, netns = \"..\", addresses = [\"10.0.0.10\"] } ]"));
    }

    @Test
    void podAddressWithPrefixLength() {
        assertEquals(List.of(at(3, "cipherlane.pods[0].addresses[1]: expected an address without a prefix length"
                + " (a pod gets it as /32 or /128), got \"fd00::10/64\"")), problems("""
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10",
                                                                  "fd00::10/64"] }
                ]
                """));
    }

    @Test
    void twoIpv4AddressesInOnePod() {
        assertEquals(List.of(at(3, "cipherlane.pods[0].addresses[1]: expected at most one IPv4 address per pod, but"
                + " 10.0.0.10 is already listed on line 2, got \"10.0.0.11\"")), problems("""
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10",
                                                                  "10.0.0.11"] }
                ]
                """));
    }

    @Test
    void repeatedAddressInOnePod() {
        assertEquals(List.of(at(1, "cipherlane.pods[0].addresses[1]: expected no repeats, but fd00::10 is already listed"
                + " on line 1, got \"fd00:0::10\"")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [\"fd00::10\", \"fd00:0::10\"] } ]"));
    }

    @Test
    void podAddressThatNoPodCanOwn() {
        assertEquals(List.of(at(1, "cipherlane.pods[0].addresses[0]: expected a unicast address a pod can own, but"
                + " fe80::10 is link-local, got \"fe80::10\"")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [\"fe80::10\"] } ]"));
        assertEquals(List.of(at(1, "cipherlane.pods[0].addresses[0]: expected a unicast address a pod can own, but"
                + " 224.0.0.5 is multicast, got \"224.0.0.5\"")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [\"224.0.0.5\"] } ]"));
    }

    @Test
    void malformedPodAddress() {
        assertEquals(List.of(at(1, "cipherlane.pods[0].addresses[0]: expected an IPv4 address like 192.0.2.1"
                + " (octets 0..255), got \"10.0.0.300\"")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [\"10.0.0.300\"] } ]"));
    }

    @Test
    void podWithoutAddresses() {
        String rule = "expected a list of one or two addresses, at most one per family, like [\"10.0.0.10\", \"fd00::10\"]";
        assertEquals(List.of(at(1, "cipherlane.pods[0].addresses: " + rule + ", got []")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [] } ]"));
        assertEquals(List.of(at(2, "cipherlane.pods[0].addresses: " + rule + ", got nothing")), problems("""
                cipherlane.pods = [
                  { name = a, netns = a }
                ]
                """));
    }

    @Test
    void twoPodsWithOneName() {
        assertEquals(List.of(at(3, "cipherlane.pods[1].name: expected a name not used by another pod, but pod-a is already"
                + " on line 2, got \"pod-a\"")), problems("""
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10"] }
                  { name = "pod-a", netns = "pod-b", addresses = ["10.0.0.11"] }
                ]
                """));
    }

    @Test
    void twoPodsInOneNamespaceHoweverSpelled() {
        assertEquals(List.of(at(3, "cipherlane.pods[1].netns: expected a namespace no other pod is in, but"
                + " /run/netns/pod-a is already on line 2, got \"/run/netns/pod-a\"")), problems("""
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10"] }
                  { name = "pod-b", netns = "/run/netns/pod-a", addresses = ["10.0.0.11"] }
                ]
                """));
    }

    @Test
    void addressSharedBetweenPods() {
        assertEquals(List.of(at(5, "cipherlane.pods[1].addresses[0]: expected an address no other pod has, but 10.0.0.10"
                + " is already pod-a's on line 3, got \"10.0.0.10\"")), problems("""
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a"
                    addresses = ["fd00::10", "10.0.0.10"] }
                  { name = "pod-b", netns = "pod-b"
                    addresses = ["10.0.0.10"] }
                ]
                """));
    }

    @Test
    void badPodMtuAndQueues() {
        assertEquals(List.of(
                at(2, "cipherlane.pods[0].queues: expected an integer in 1..16, got 17"),
                at(3, "cipherlane.pods[0].mtu: expected an integer in 1280..9000, got 9001")),
                problems("""
                        cipherlane.pods = [ { name = a, netns = a, addresses = ["10.0.0.10"]
                                              queues = 17
                                              mtu = 9001 } ]
                        """));
        assertEquals(List.of(at(1, "cipherlane.pods[0].queues: expected an integer in 1..16, got 0")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [\"10.0.0.10\"], queues = 0 } ]"));
    }

    @Test
    void podMacThatIsTheGateways() {
        assertEquals(List.of(at(2, "cipherlane.pods[0].mac: expected a unicast MAC address other than"
                + " pod-network.gateway-mac 02:fe:00:00:00:01, got \"02:FE:00:00:00:01\"")), problems("""
                cipherlane.pods = [ { name = a, netns = a, addresses = ["10.0.0.10"]
                                      mac = "02:FE:00:00:00:01" } ]
                """));
    }

    @Test
    void unknownKeyInsideAPod() {
        assertEquals(List.of(at(3, "cipherlane.pods[0].adresses: expected one of name, netns, addresses, mac, queues, mtu"
                + " (did you mean addresses?), got an unknown key")), problems("""
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10"]
                    adresses = ["fd00::10"] }
                ]
                """));
        assertEquals(List.of(at(1, "cipherlane.pods[0].namespace: expected one of name, netns, addresses, mac, queues, mtu,"
                + " got an unknown key")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [\"10.0.0.10\"], namespace = a } ]"));
    }

    @Test
    void wrongTypesInAPod() {
        assertEquals(List.of(at(1, "cipherlane.pods[0].queues: expected an integer in 1..16, got \"2\"")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [\"10.0.0.10\"], queues = \"2\" } ]"));
        assertEquals(List.of(at(1, "cipherlane.pods[0].addresses: expected a list of one or two addresses, at most one per"
                + " family, like [\"10.0.0.10\", \"fd00::10\"], got \"10.0.0.10\"")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = \"10.0.0.10\" } ]"));
        assertEquals(List.of(at(1, "cipherlane.pods[0].addresses[0]: expected an address like 10.0.0.10 or fd00::10, got 10")),
                problems("cipherlane.pods = [ { name = a, netns = a, addresses = [10] } ]"));
        assertEquals(List.of(at(1, "cipherlane.pods[0]: expected a pod like { name = \"pod-a\", netns = \"pod-a\","
                + " addresses = [\"10.0.0.10\"] }, got \"pod-a\"")), problems("cipherlane.pods = [ \"pod-a\" ]"));
        assertEquals(List.of(at(1, "cipherlane.pods: expected a list of a pod like { name = \"pod-a\", netns = \"pod-a\","
                + " addresses = [\"10.0.0.10\"] }, got {\"name\":\"a\"}")), problems("cipherlane.pods { name = a }"));
    }

    /** An uplink, so that peers are allowed. */
    private static final String UPLINK = "cipherlane.uplink.interface = eth0\n";
    private static final String NAME_RULE = "a peer name of 1..63 lowercase letters, digits or '-', starting and ending"
            + " with a letter or digit";

    @Test
    void badUplinkInterfaceName() {
        String rule = "expected \"\" for no uplink, or an interface name of 1..15 bytes without '/', ':' or spaces";
        assertEquals(List.of(at(1, "cipherlane.uplink.interface: " + rule + ", got \"eth0:1\"")),
                problems("cipherlane.uplink.interface = \"eth0:1\""));
        // A bad name is not also "no uplink": peers give no second line.
        assertEquals(List.of(at(1, "cipherlane.uplink.interface: " + rule + ", got \"this-name-is-too-long\"")),
                problems("""
                        cipherlane.uplink.interface = "this-name-is-too-long"
                        cipherlane.peers = [ { name = b, addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] } ]
                        """));
    }

    @Test
    void badHostTap() {
        assertEquals(List.of(at(2, "cipherlane.uplink.host-tap: expected an interface name of 1..15 bytes without '/', ':'"
                + " or spaces, got \"cl host\"")), problems("""
                cipherlane.uplink {
                  host-tap = "cl host"
                }
                """));
        assertEquals(List.of(at(2, "cipherlane.uplink.host-tap: expected a name other than uplink.interface's eth0,"
                + " got \"eth0\"")), problems("""
                cipherlane.uplink.interface = eth0
                cipherlane.uplink.host-tap = "eth0"
                """));
    }

    @Test
    void uplinkOffloadsAreOnUnlessTurnedOff(@TempDir Path dir) throws Exception {
        assertTrue(ConfigFiles.load(dir, UPLINK).uplink().offloads());
        assertFalse(ConfigFiles.load(dir, UPLINK + "cipherlane.uplink.offloads = false\n").uplink().offloads());
        assertEquals(List.of(at(1, "cipherlane.uplink.offloads: expected true or false, got \"no\"")),
                problems("cipherlane.uplink.offloads = \"no\""));
    }

    @Test
    void theUplinkDriverIsAfPacketUnlessAvfIsChosen(@TempDir Path dir) throws Exception {
        UplinkSettings plain = ConfigFiles.load(dir, UPLINK).uplink();
        assertEquals(UplinkDriver.AFPACKET, plain.driver());
        assertEquals(AvfUplinkSettings.DEFAULTS, plain.avf());
        UplinkSettings model = ConfigFiles.load(dir, UPLINK + "cipherlane.uplink.driver = avf\n").uplink();
        assertEquals(UplinkDriver.AVF, model.driver());
        assertTrue(model.avf().model());
        UplinkSettings vf = ConfigFiles.load(dir, UPLINK + """
                cipherlane.uplink { driver = "avf", avf { device = "0000:3b:02.0", queues = 4, ring-size = 1024 } }
                """).uplink();
        assertEquals(new AvfUplinkSettings("0000:3b:02.0", 4, 1024), vf.avf());
        assertFalse(vf.avf().model());
    }

    @Test
    void badAvfSettingsSayWhatIsExpected() {
        assertEquals(List.of(at(2, "cipherlane.uplink.driver: expected \"afpacket\" or \"avf\", got \"dpdk\"")),
                problems(UPLINK + "cipherlane.uplink.driver = dpdk"));
        assertEquals(List.of(at(1, "cipherlane.uplink.avf.device: expected " + AvfUplinkSettings.DEVICE_EXPECTED
                        + ", got \"3b:02.0\"")),
                problems("cipherlane.uplink.avf.device = \"3b:02.0\"\n" + UPLINK));
        assertEquals(List.of(at(1, "cipherlane.uplink.avf.ring-size: expected a multiple of 32 in 64..4096, got 100")),
                problems("cipherlane.uplink.avf.ring-size = 100\n" + UPLINK));
        assertEquals(List.of(at(1, "cipherlane.uplink.avf.queues: expected an integer in 1..16, got 17")),
                problems("cipherlane.uplink.avf.queues = 17\n" + UPLINK));
        assertEquals(List.of(at(1, "cipherlane.uplink.driver: expected \"afpacket\" while uplink.interface is \"\""
                        + " (\"avf\" runs on the uplink: the model on its packet socket, or a VF that takes its"
                        + " addresses), got \"avf\"")),
                problems("cipherlane.uplink.driver = avf"));
    }

    @Test
    void everyProblemIsReportedInFileOrder() {
        ConfigValidationException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigValidationException.class,
                () -> NodeConfigLoader.load(ConfigFiles.write(dir, "bad.conf", """
                        cipherlane {
                          neighbour.reachable-time = forever
                          dataplane {
                            workers = 100
                            ring-sise = 128
                          }
                          pod-network.gateway-mac = "02:00:00:00:00:zz"
                          uplink.mtu = 9001
                        }
                        """)));
        List<String> expected = List.of(
                at(2, "cipherlane.neighbour.reachable-time: expected a duration in 1s..1h with a unit, like 30s, got \"forever\""),
                at(4, "cipherlane.dataplane.workers: expected an integer in 1..64, got 100"),
                at(5, "cipherlane.dataplane.ring-sise: expected one of workers, buffers, ring-size, trace, idle, fault-injection"
                        + " (did you mean ring-size?), got an unknown key"),
                at(7, "cipherlane.pod-network.gateway-mac: expected a MAC address like 02:00:00:00:00:01 (six hex"
                        + " octets separated by ':'), got \"02:00:00:00:00:zz\""),
                at(8, "cipherlane.uplink.mtu: expected an integer in 576..9000, got 9001"));
        assertEquals(expected, e.problems().stream().map(ConfigProblem::render).toList());
        assertEquals(String.join("\n", expected), e.getMessage());
        ConfigProblem first = e.problems().getFirst();
        assertEquals(new ConfigProblem(dir.resolve("bad.conf").toString(), 2, "cipherlane.neighbour.reachable-time",
                "a duration in 1s..1h with a unit, like 30s", "\"forever\""), first);
    }

    /** The settings that nothing read are gone: a file that still has them is told so. */
    @Test
    void routesAndInterfacesAreNoLongerSettings() {
        List<String> problems = problems("cipherlane.routes = []\ncipherlane.interfaces = []");
        assertEquals(2, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith(at(1, "cipherlane.routes: expected one of ")), problems.get(0));
        assertTrue(problems.get(1).startsWith(at(2, "cipherlane.interfaces: expected one of ")), problems.get(1));
    }

    @Test
    void badUplinkMtu() {
        assertEquals(List.of(at(1, "cipherlane.uplink.mtu: expected an integer in 576..9000, got 575")),
                problems("cipherlane.uplink.mtu = 575"));
        assertEquals(List.of(at(1, "cipherlane.uplink.mtu: expected an integer in 576..9000, got 9001")),
                problems("cipherlane.uplink.mtu = 9001"));
        assertEquals(List.of(at(1, "cipherlane.uplink.mtu: expected an integer in 576..9000, got \"1500\"")),
                problems("cipherlane.uplink.mtu = \"1500\""));
    }

    /** Issue: an uplink MTU leaving less than 1280 inside the tunnels was accepted with IPv6 pods. */
    @Test
    void uplinkMtuTooSmallForIpv6InsideTheTunnels() throws ConfigValidationException {
        String node = """
                cipherlane.uplink.interface = "eth1"
                cipherlane.uplink.mtu = %d
                cipherlane.ipsec { enabled = %s, udp-encapsulation = %s }
                cipherlane.pods = [ { name = a, netns = a, addresses = ["10.77.0.10"%s] } ]
                cipherlane.peers = [ { name = b, addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] } ]
                """;
        assertEquals(List.of(at(2, "cipherlane.uplink.mtu: expected an MTU of at least 1345 with IPv6 pods (the tunnels"
                + " add 65 bytes and IPv6 needs 1280 inside them, RFC 8200 section 5), got 1344")),
                problems(node.formatted(1344, true, true, ", \"fd77::10\"")));
        assertEquals(1345, NodeConfigLoader.load(ConfigFiles.write(dir, "ok.conf",
                node.formatted(1345, true, true, ", \"fd77::10\""))).uplink().mtu());
        assertEquals(List.of(at(2, "cipherlane.uplink.mtu: expected an MTU of at least 1337 with IPv6 pods (the tunnels"
                + " add 57 bytes and IPv6 needs 1280 inside them, RFC 8200 section 5), got 1336")),
                problems(node.formatted(1336, true, false, ", \"fd77::10\"")));
        assertEquals(List.of(at(2, "cipherlane.uplink.mtu: expected an MTU of at least 1300 with IPv6 pods (the tunnels"
                + " add 20 bytes and IPv6 needs 1280 inside them, RFC 8200 section 5), got 1299")),
                problems(node.formatted(1299, false, false, ", \"fd77::10\"")));
        assertEquals(1000, NodeConfigLoader.load(ConfigFiles.write(dir, "v4.conf",
                node.formatted(1000, true, true, ""))).uplink().mtu(), "IPv4 pods only");
    }

    @Test
    void badTunnelAddresses() {
        assertEquals(List.of(
                at(2, "cipherlane.uplink.tunnel-addresses[1]: expected an IPv4 address without a prefix length,"
                        + " got \"192.0.2.22/24\""),
                at(3, "cipherlane.uplink.tunnel-addresses[2]: expected a unicast IPv4 address, but 2001:db8::1 is IPv6"
                        + " (an IPv6 underlay is not supported yet), got \"2001:db8::1\""),
                at(4, "cipherlane.uplink.tunnel-addresses[3]: expected no repeats, but 192.0.2.21 is already listed on"
                        + " line 1, got \"192.0.2.21\"")),
                problems("""
                        cipherlane.uplink.tunnel-addresses = ["192.0.2.21",
                          "192.0.2.22/24",
                          "2001:db8::1",
                          "192.0.2.21"]
                        """));
    }

    @Test
    void unknownKeyInUplink() {
        assertEquals(List.of(at(1, "cipherlane.uplink.tunnel-address: expected one of interface, host-tap, tunnel-addresses,"
                + " mtu, offloads, driver, avf (did you mean tunnel-addresses?), got an unknown key")),
                problems("cipherlane.uplink.tunnel-address = [\"192.0.2.21\"]"));
    }

    @Test
    void peersWithoutAnUplinkPointAtThePeers() {
        assertEquals(List.of(at(2, "cipherlane.peers: expected no peers while uplink.interface is \"\" (tunnels to peers"
                + " run over the uplink), got 2 peers")), problems("""
                cipherlane.uplink.mtu = 1500
                cipherlane.peers = [
                  { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] }
                  { name = "node-c", addresses = ["192.0.2.13"], pod-cidrs = ["10.79.0.0/24"] }
                ]
                """));
        assertEquals(List.of(at(1, "cipherlane.peers: expected no peers while uplink.interface is \"\" (tunnels to peers"
                + " run over the uplink), got 1 peer")),
                problems("cipherlane.peers = [ { name = b, addresses = [\"192.0.2.12\"], pod-cidrs = [\"10.78.0.0/24\"] } ]"));
    }

    @Test
    void twoPeersWithOneName() {
        assertEquals(List.of(at(4, "cipherlane.peers[1].name: expected a name not used by another peer, but node-b is"
                + " already on line 3, got \"node-b\"")), problems(UPLINK + """
                cipherlane.peers = [
                  { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] }
                  { name = "node-b", addresses = ["192.0.2.13"], pod-cidrs = ["10.79.0.0/24"] }
                ]
                """));
    }

    @Test
    void badPeerName() {
        assertEquals(List.of(at(2, "cipherlane.peers[0].name: expected " + NAME_RULE + ", got \"Node_B\"")),
                problems(UPLINK + "cipherlane.peers = [ { name = Node_B, addresses = [\"192.0.2.12\"],"
                        + " pod-cidrs = [\"10.78.0.0/24\"] } ]"));
    }

    @Test
    void peerAddressThatIsNotUnicastIpv4() {
        assertEquals(List.of(at(3, "cipherlane.peers[0].addresses[1]: expected a unicast IPv4 address, but 2001:db8::12 is"
                + " IPv6 (an IPv6 underlay is not supported yet), got \"2001:db8::12\"")), problems(UPLINK + """
                cipherlane.peers = [ { name = b, pod-cidrs = ["10.78.0.0/24"], addresses = ["192.0.2.12",
                                                                                "2001:db8::12"] } ]
                """));
        assertEquals(List.of(at(2, "cipherlane.peers[0].addresses[0]: expected a unicast IPv4 address, but 239.1.1.1 is"
                + " multicast, got \"239.1.1.1\"")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = [\"239.1.1.1\"], pod-cidrs = [\"10.78.0.0/24\"] } ]"));
    }

    @Test
    void peerAddressSharedBetweenPeers() {
        assertEquals(List.of(at(4, "cipherlane.peers[1].addresses[0]: expected an address no other peer has, but 192.0.2.12"
                + " is already node-b's on line 3, got \"192.0.2.12\"")), problems(UPLINK + """
                cipherlane.peers = [
                  { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] }
                  { name = "node-c", addresses = ["192.0.2.12"], pod-cidrs = ["10.79.0.0/24"] }
                ]
                """));
    }

    @Test
    void peerAddressThatIsOneOfOurTunnelAddresses() {
        assertEquals(List.of(at(5, "cipherlane.peers[0].addresses[1]: expected a peer's address, not this node's, but"
                + " 192.0.2.21 is in uplink.tunnel-addresses on line 2, got \"192.0.2.21\"")), problems("""
                cipherlane.uplink { interface = eth0
                                    tunnel-addresses = ["192.0.2.21"] }
                cipherlane.peers = [
                  { name = "node-b", pod-cidrs = ["10.78.0.0/24"], addresses = ["192.0.2.12",
                                                                                "192.0.2.21"] }
                ]
                """));
    }

    @Test
    void peerWithoutAddressesOrPodCidrs() {
        assertEquals(List.of(at(2, "cipherlane.peers[0].addresses: expected a non-empty list of IPv4 addresses like"
                + " [\"192.0.2.12\"], got []")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = [], pod-cidrs = [\"10.78.0.0/24\"] } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0].pod-cidrs: expected a non-empty list of prefixes like"
                + " [\"10.78.0.0/24\", \"fd78::/64\"], got nothing")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = [\"192.0.2.12\"] } ]"));
    }

    @Test
    void podCidrWithHostBits() {
        assertEquals(List.of(at(3, "cipherlane.peers[0].pod-cidrs[1]: expected a prefix with no bits set after /64"
                + " (did you mean fd78::/64?), got \"fd78::1/64\"")), problems(UPLINK + """
                cipherlane.peers = [ { name = b, addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24",
                                                                                          "fd78::1/64"] } ]
                """));
    }

    @Test
    void overlappingPodCidrs() {
        assertEquals(List.of(at(4, "cipherlane.peers[1].pod-cidrs[0]: expected a prefix overlapping no other pod-cidr, but"
                + " 10.78.0.0/16 overlaps node-b's 10.78.1.0/24 on line 3, got \"10.78.0.0/16\"")), problems(UPLINK + """
                cipherlane.peers = [
                  { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.1.0/24"] }
                  { name = "node-c", addresses = ["192.0.2.13"], pod-cidrs = ["10.78.0.0/16"] }
                ]
                """));
        assertEquals(List.of(at(2, "cipherlane.peers[0].pod-cidrs[1]: expected a prefix overlapping no other pod-cidr, but"
                + " fd78::/64 overlaps b's fd78::/48 on line 2, got \"fd78::/64\"")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = [\"192.0.2.12\"], pod-cidrs = [\"fd78::/48\", \"fd78::/64\"] } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0].pod-cidrs[1]: expected no repeats, but fd78::/64 is already listed"
                + " on line 2, got \"fd78:0::/64\"")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = [\"192.0.2.12\"], pod-cidrs = [\"fd78::/64\", \"fd78:0::/64\"] } ]"));
    }

    @Test
    void podCidrHoldingOneOfOurPods() {
        assertEquals(List.of(at(7, "cipherlane.peers[0].pod-cidrs[0]: expected a prefix holding none of this node's pods, but"
                + " 10.0.0.0/24 holds pod-b's 10.0.0.11 on line 4, got \"10.0.0.0/24\"")), problems(UPLINK + """
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.1.10"] }
                  { name = "pod-b", netns = "pod-b", addresses = ["10.0.0.11"] }
                ]
                cipherlane.peers = [
                  { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.0.0.0/24"] }
                ]
                """));
    }

    @Test
    void tunnelsOutOfRange() {
        assertEquals(List.of(at(3, "cipherlane.peers[0].tunnels: expected an integer in 1..16, got 0")), problems(UPLINK + """
                cipherlane.peers = [ { name = b, addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"]
                                       tunnels = 0 } ]
                """));
        assertEquals(List.of(at(2, "cipherlane.peers[0].tunnels: expected an integer in 1..16, got 17")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = [\"192.0.2.12\"], pod-cidrs = [\"10.78.0.0/24\"], tunnels = 17 } ]"));
    }

    @Test
    void moreTunnelsThanDistinctAddressPairs() {
        assertEquals(List.of(at(3, "cipherlane.peers[0].tunnels: expected at most 2 tunnels: tunnel i runs from local"
                + " address i mod 1 to peer address i mod 2, and those pairs repeat after 2 (list more addresses here or"
                + " in uplink.tunnel-addresses), got 4")), problems(UPLINK + """
                cipherlane.peers = [ { name = b, addresses = ["192.0.2.12", "192.0.2.13"], pod-cidrs = ["10.78.0.0/24"]
                                       tunnels = 4 } ]
                """));
    }

    @Test
    void ikeProposalsAndGroupsAreNamesFromTheirLists() {
        assertEquals(List.of(at(1, "cipherlane.ipsec.ike.groups[1]: expected one of [x25519, ecp256, modp2048], got"
                + " \"curve448\"")), problems("cipherlane.ipsec.ike.groups = [\"x25519\", \"curve448\"]\n"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.ike.proposals: expected a non-empty list of IKE proposals from"
                + " [aes256gcm16-prfsha256, aes256-sha256], most preferred first, got []")),
                problems("cipherlane.ipsec.ike.proposals = []\n"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.ike.esn: expected true or false, got \"yes\"")),
                problems("cipherlane.ipsec.ike.esn = \"yes\"\n"));
    }

    @Test
    void aGatewayPeerNamesItsLocalSideAndOnlyAGatewayMay() {
        String peer = "cipherlane.peers = [ { name = gw, addresses = [\"192.0.2.12\"], pod-cidrs = [\"10.78.0.0/24\"]";
        assertEquals(List.of(at(2, "cipherlane.peers[0].local-cidrs: expected a non-empty list of this node's pod"
                + " prefixes like [\"10.77.0.0/24\"], got nothing")),
                problems(UPLINK + peer + ", kind = \"gateway\" } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0].local-cidrs: expected no local-cidrs on a Cipherlane peer (its"
                + " selectors are the tunnel addresses); they go with kind = \"gateway\", got [\"10.77.0.0/24\"]")),
                problems(UPLINK + peer + ", local-cidrs = [\"10.77.0.0/24\"] } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0].kind: expected \"cipherlane\" or \"gateway\", got \"router\"")),
                problems(UPLINK + peer + ", kind = \"router\", local-cidrs = [\"10.77.0.0/24\"] } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0].local-cidrs[0]: expected a prefix of this node's, overlapping"
                + " none of the peer's pod-cidrs, but 10.78.0.0/16 overlaps 10.78.0.0/24, got \"10.78.0.0/16\"")),
                problems(UPLINK + peer + ", kind = \"gateway\", local-cidrs = [\"10.78.0.0/16\"] } ]"));
    }

    @Test
    void unknownKeyInsideAPeer() {
        assertEquals(List.of(at(4, "cipherlane.peers[0].pod-cidr: expected one of name, addresses, pod-cidrs, tunnels, kind, local-cidrs"
                + " (did you mean pod-cidrs?), got an unknown key")), problems(UPLINK + """
                cipherlane.peers = [
                  { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"]
                    pod-cidr = "10.79.0.0/24" }
                ]
                """));
    }

    @Test
    void wrongTypesInAPeer() {
        String peer = "{ name = b, addresses = [\"192.0.2.12\"], pod-cidrs = [\"10.78.0.0/24\"]";
        assertEquals(List.of(at(2, "cipherlane.peers[0].tunnels: expected an integer in 1..16, got \"4\"")),
                problems(UPLINK + "cipherlane.peers = [ " + peer + ", tunnels = \"4\" } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0].addresses: expected a non-empty list of IPv4 addresses like"
                + " [\"192.0.2.12\"], got \"192.0.2.12\"")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = \"192.0.2.12\", pod-cidrs = [\"10.78.0.0/24\"] } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0].pod-cidrs[0]: expected a prefix like 10.78.0.0/24 or fd78::/64,"
                + " got 10")), problems(UPLINK
                + "cipherlane.peers = [ { name = b, addresses = [\"192.0.2.12\"], pod-cidrs = [10] } ]"));
        assertEquals(List.of(at(2, "cipherlane.peers[0]: expected a peer like { name = \"node-b\", addresses ="
                + " [\"192.0.2.12\"], pod-cidrs = [\"10.78.0.0/24\"] }, got \"node-b\"")),
                problems(UPLINK + "cipherlane.peers = [ \"node-b\" ]"));
        assertEquals(List.of(at(1, "cipherlane.uplink: expected an object, got \"eth0\"")),
                problems("cipherlane.uplink = eth0"));
    }

    @Test
    void everyBadIpsecValueOnItsOwnLine() {
        assertEquals(List.of(
                at(2, "cipherlane.ipsec.enabled: expected true or false, got \"yes\""),
                at(3, "cipherlane.ipsec.key-dir: expected an absolute path without '.' or '..' segments, like"
                        + " /etc/cipherlane/keys, got \"etc/cipherlane/keys\""),
                at(4, "cipherlane.ipsec.engine: expected \"auto\" or \"jdk\" or \"bouncycastle\" or \"ipsec-mb\" (did you mean \"bouncycastle\"?),"
                        + " got \"bouncy-castle\""),
                at(5, "cipherlane.ipsec.crypto-threads: expected an integer in 0..16, got 17"),
                at(6, "cipherlane.ipsec.replay-window: expected 0 (no anti-replay) or a power of two in 64..4096, got 1000"),
                at(7, "cipherlane.ipsec.udp-encapsulation: expected true or false, got 1"),
                at(8, "cipherlane.ipsec.sequence-block: expected an integer in 16..1073741824, got 15")),
                problems("""
                        cipherlane.ipsec {
                          enabled = yes
                          key-dir = "etc/cipherlane/keys"
                          engine = "bouncy-castle"
                          crypto-threads = 17
                          replay-window = 1000
                          udp-encapsulation = 1
                          sequence-block = 15
                        }
                        """));
    }

    @Test
    void ipsecBooleansAreNotStrings() {
        assertEquals(List.of(at(1, "cipherlane.ipsec.enabled: expected true or false, got \"true\"")),
                problems("cipherlane.ipsec.enabled = \"true\""));
        assertEquals(List.of(at(1, "cipherlane.ipsec.udp-encapsulation: expected true or false, got \"on\"")),
                problems("cipherlane.ipsec.udp-encapsulation = on"));
    }

    @Test
    void ipsecKeyDirWithDotDot() {
        assertEquals(List.of(at(1, "cipherlane.ipsec.key-dir: expected an absolute path without '.' or '..' segments, like"
                + " /etc/cipherlane/keys, got \"/etc/cipherlane/../keys\"")),
                problems("cipherlane.ipsec.key-dir = \"/etc/cipherlane/../keys\""));
        assertEquals(List.of(at(1, "cipherlane.ipsec.key-dir: expected an absolute path without '.' or '..' segments, like"
                + " /etc/cipherlane/keys, got \"\"")), problems("cipherlane.ipsec.key-dir = \"\""));
    }

    @Test
    void unknownEngineSuggestsOnlyANearOne() {
        assertEquals(List.of(at(1, "cipherlane.ipsec.engine: expected \"auto\" or \"jdk\" or \"bouncycastle\" or \"ipsec-mb\" (did you mean \"jdk\"?),"
                + " got \"JDK\"")), problems("cipherlane.ipsec.engine = JDK"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.engine: expected \"auto\" or \"jdk\" or \"bouncycastle\" or \"ipsec-mb\", got \"openssl\"")),
                problems("cipherlane.ipsec.engine = openssl"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.engine: expected \"auto\" or \"jdk\" or \"bouncycastle\" or \"ipsec-mb\", got 1")),
                problems("cipherlane.ipsec.engine = 1"));
    }

    @Test
    void cryptoThreadsOutOfRange() {
        assertEquals(List.of(at(1, "cipherlane.ipsec.crypto-threads: expected an integer in 0..16, got -1")),
                problems("cipherlane.ipsec.crypto-threads = -1"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.crypto-threads: expected an integer in 0..16, got \"2\"")),
                problems("cipherlane.ipsec.crypto-threads = \"2\""));
    }

    @Test
    void replayWindowIsZeroOrAPowerOfTwoInRange() {
        String rule = "expected 0 (no anti-replay) or a power of two in 64..4096, got ";
        assertEquals(List.of(at(1, "cipherlane.ipsec.replay-window: " + rule + "32")),
                problems("cipherlane.ipsec.replay-window = 32"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.replay-window: " + rule + "8192")),
                problems("cipherlane.ipsec.replay-window = 8192"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.replay-window: " + rule + "-64")),
                problems("cipherlane.ipsec.replay-window = -64"));
        // 2^32 + 64 would pass as 64 if it were cut to an int before the check.
        assertEquals(List.of(at(1, "cipherlane.ipsec.replay-window: " + rule + "4294967360")),
                problems("cipherlane.ipsec.replay-window = 4294967360"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.replay-window: " + rule + "64.5")),
                problems("cipherlane.ipsec.replay-window = 64.5"));
    }

    @Test
    void sequenceBlockOutOfRange() {
        assertEquals(List.of(at(1, "cipherlane.ipsec.sequence-block: expected an integer in 16..1073741824, got 1073741825")),
                problems("cipherlane.ipsec.sequence-block = 1073741825"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.sequence-block: expected an integer in 16..1073741824, got 0")),
                problems("cipherlane.ipsec.sequence-block = 0"));
    }

    @Test
    void unknownKeyInIpsec() {
        assertEquals(List.of(at(2, "cipherlane.ipsec.replay-windows: expected one of enabled, key-dir, engine, crypto-threads,"
                + " replay-window, udp-encapsulation, sequence-block, lifetime, keys, ike (did you mean replay-window?),"
                + " got an unknown key")),
                problems("""
                        cipherlane.ipsec {
                          replay-windows = 64
                        }
                        """));
        assertEquals(List.of(at(1, "cipherlane.ipsec: expected an object, got true")), problems("cipherlane.ipsec = true"));
        assertEquals(List.of(at(1, "cipherlane.ipsec.enabled: expected true or false, got null")),
                problems("cipherlane.ipsec.enabled = null"));
    }

    @Test
    void everyBadLifetimeValueOnItsOwnLine() {
        String count = "expected an integer in 0..9223372036854775807, got ";
        String time = "expected a duration in 0s..106751d with a unit, like 30s, got ";
        assertEquals(List.of(
                at(3, "cipherlane.ipsec.lifetime.soft-bytes: " + count + "-1"),
                at(4, "cipherlane.ipsec.lifetime.hard-bytes: " + count + "\"1000\""),
                at(5, "cipherlane.ipsec.lifetime.soft-packets: " + count + "1.5"),
                at(6, "cipherlane.ipsec.lifetime.hard-packets: " + count + "\"9223372036854775808\""),
                at(7, "cipherlane.ipsec.lifetime.soft-time: " + time + "30"),
                at(8, "cipherlane.ipsec.lifetime.hard-time: " + time + "\"-1s\""),
                at(9, "cipherlane.ipsec.lifetime.soft-bites: expected one of soft-bytes, hard-bytes, soft-packets,"
                        + " hard-packets, soft-time, hard-time (did you mean soft-bytes?), got an unknown key")),
                problems("""
                        cipherlane.ipsec {
                          lifetime {
                            soft-bytes = -1
                            hard-bytes = "1000"
                            soft-packets = 1.5
                            hard-packets = 9223372036854775808
                            soft-time = 30
                            hard-time = -1s
                            soft-bites = 10
                          }
                        }
                        """));
    }

    @Test
    void softLifetimeLimitMustBeBelowItsHardOne() {
        assertEquals(List.of(
                at(3, "cipherlane.ipsec.lifetime.soft-bytes: expected less than hard-bytes (1000), got 1000"),
                at(5, "cipherlane.ipsec.lifetime.soft-packets: expected less than hard-packets (10), got 11"),
                at(7, "cipherlane.ipsec.lifetime.soft-time: expected less than hard-time (1h), got \"2h\"")),
                problems("""
                        cipherlane.ipsec.lifetime {
                          hard-bytes = 1000
                          soft-bytes = 1000
                          hard-packets = 10
                          soft-packets = 11
                          hard-time = 60m
                          soft-time = 2h
                        }
                        """));
        // 3600s and 1h are one time, so the soft limit is not below the hard.
        assertEquals(List.of(at(1, "cipherlane.ipsec.lifetime.soft-time: expected less than hard-time (1h),"
                + " got \"3600s\"")), problems("cipherlane.ipsec.lifetime { soft-time = 3600s, hard-time = 1h }"));
    }

    @Test
    void lifetimeLimitsOfOneKindMayStandAlone() throws Exception {
        assertEquals(new IpsecLifetime(1000, 0, 9, 10, Duration.ZERO, Duration.ofSeconds(1)), ConfigFiles.load(dir, """
                cipherlane.ipsec.lifetime { soft-bytes = 1000, hard-packets = 10, soft-packets = 9, hard-time = 1s }
                """).ipsec().lifetime());
        assertEquals(List.of(at(1, "cipherlane.ipsec.lifetime: expected an object, got 0")),
                problems("cipherlane.ipsec.lifetime = 0"));
    }

    @Test
    void syntaxError() {
        List<String> problems = problems("""
                cipherlane {
                  dataplane {
                    workers = 2
                """);
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().startsWith(at(4, "expected valid HOCON syntax, got ")), problems.getFirst());
    }

    @Test
    void unresolvedSubstitution() {
        assertEquals(List.of(at(2, "expected a substitution that resolves to a value, got ${nowhere}")), problems("""
                cipherlane {
                  node.name = ${nowhere}
                }
                """));
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("missing.conf");
        assertEquals(List.of(missing + ": expected a config file, got no such file"), ConfigFiles.problems(missing));
    }

    @Test
    void directoryInsteadOfFile() {
        assertEquals(List.of(dir + ": expected a config file, got a directory"), ConfigFiles.problems(dir));
    }

    @Test
    void fileIsNamedAsTheOperatorTypedIt() throws IOException {
        Path relative = Path.of("target", "relative-name-test.conf");
        Files.createDirectories(relative.getParent());
        Files.writeString(relative, "\ncipherlane.dataplane.workers = 65\n");
        try {
            assertEquals(List.of("target/relative-name-test.conf:2: cipherlane.dataplane.workers: expected an integer in 1..64,"
                    + " got 65"), ConfigFiles.problems(relative));
        } finally {
            Files.delete(relative);
        }
    }
}
