package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        assertEquals(List.of(at(3, "cipherlane.dataplane.wokers: expected one of workers, buffers, ring-size, trace, idle"
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
        assertEquals(List.of(at(1, "cipherlane.neighbour.colour: expected one of reachable-time, max-entries, got an unknown key")),
                problems("cipherlane.neighbour.colour = red"));
    }

    @Test
    void unknownTopLevelKey() {
        assertEquals(List.of(at(1, "cipherlan: expected only cipherlane, got an unknown key")),
                problems("cipherlan.node.name = x"));
    }

    @Test
    void unknownKeyInsideARoute() {
        assertEquals(List.of(at(3, "cipherlane.routes[0].gateway: expected one of prefix, via, interface, got an unknown key")),
                problems("""
                        cipherlane.routes = [
                          { prefix = "10.1.0.0/16", via = ["192.0.2.1"],
                            gateway = "192.0.2.1" }
                        ]
                        """));
    }

    @Test
    void unknownKeyInsideAnInterface() {
        assertEquals(List.of(at(1, "cipherlane.interfaces[0].adresses: expected one of name, mac, addresses"
                + " (did you mean addresses?), got an unknown key")),
                problems("cipherlane.interfaces = [ { name = eth0, adresses = [\"10.0.0.1/24\"] } ]"));
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
    void prefixLengthTooLong() {
        assertEquals(List.of(at(1, "cipherlane.routes[0].prefix: expected an IPv4 prefix length in 0..32, got \"10.1.0.0/33\"")),
                problems("cipherlane.routes = [ { prefix = \"10.1.0.0/33\", via = [\"192.0.2.1\"] } ]"));
    }

    @Test
    void prefixWithHostBits() {
        assertEquals(List.of(at(1, "cipherlane.routes[0].prefix: expected a prefix with no bits set after /16"
                + " (did you mean 10.1.0.0/16?), got \"10.1.2.3/16\"")),
                problems("cipherlane.routes = [ { prefix = \"10.1.2.3/16\", via = [\"192.0.2.1\"] } ]"));
    }

    @Test
    void nextHopOfTheWrongFamily() {
        assertEquals(List.of(at(3, "cipherlane.routes[0].via[1]: expected an IPv4 address, as the route is for 10.1.0.0/16,"
                + " got \"fd00::1\"")), problems("""
                cipherlane.routes = [
                  { prefix = "10.1.0.0/16", via = ["192.0.2.1",
                                                   "fd00::1"] }
                ]
                """));
    }

    @Test
    void malformedNextHop() {
        assertEquals(List.of(at(1, "cipherlane.routes[0].via[0]: expected an IPv4 address like 192.0.2.1 (octets 0..255),"
                + " got \"192.0.2.256\"")),
                problems("cipherlane.routes = [ { prefix = \"10.1.0.0/16\", via = [\"192.0.2.256\"] } ]"));
    }

    @Test
    void routeWithoutNextHopsPointsAtTheRoute() {
        assertEquals(List.of(at(3, "cipherlane.routes[1].via: expected a non-empty list of next-hop addresses, got nothing")),
                problems("""
                        cipherlane.routes = [
                          { prefix = "10.1.0.0/16", via = ["192.0.2.1"] }
                          { prefix = "10.2.0.0/16" }
                        ]
                        """));
    }

    @Test
    void emptyNextHopList() {
        assertEquals(List.of(at(1, "cipherlane.routes[0].via: expected a non-empty list of next-hop addresses, got []")),
                problems("cipherlane.routes = [ { prefix = \"10.1.0.0/16\", via = [] } ]"));
    }

    @Test
    void repeatedNextHop() {
        assertEquals(List.of(at(2, "cipherlane.routes[0].via[1]: expected no repeats, but 192.0.2.1 is already listed on line 1,"
                + " got \"192.0.2.1\"")), problems("""
                cipherlane.routes = [ { prefix = "10.1.0.0/16", via = ["192.0.2.1"
                                                                      "192.0.2.1"] } ]
                """));
    }

    @Test
    void twoRoutesForOnePrefix() {
        assertEquals(List.of(at(3, "cipherlane.routes[1].prefix: expected a prefix without another route, but 10.1.0.0/16 is"
                + " already routed on line 2, got \"10.1.0.0/16\"")), problems("""
                cipherlane.routes = [
                  { prefix = "10.1.0.0/16", via = ["192.0.2.1"] }
                  { prefix = "10.1.0.0/16", via = ["192.0.2.2"] }
                ]
                """));
    }

    @Test
    void routeThatIsNotAnObject() {
        assertEquals(List.of(at(1, "cipherlane.routes[0]: expected a route like { prefix = \"10.1.0.0/16\","
                + " via = [\"192.0.2.1\"] }, got \"10.1.0.0/16\"")), problems("cipherlane.routes = [ \"10.1.0.0/16\" ]"));
    }

    @Test
    void routesThatAreNotAList() {
        assertEquals(List.of(at(1, "cipherlane.routes: expected a list of a route like { prefix = \"10.1.0.0/16\","
                + " via = [\"192.0.2.1\"] }, got {\"prefix\":\"10.1.0.0/16\"}")),
                problems("cipherlane.routes { prefix = \"10.1.0.0/16\" }"));
    }

    @Test
    void malformedMac() {
        assertEquals(List.of(at(1, "cipherlane.interfaces[0].mac: expected a MAC address like 02:00:00:00:00:01"
                + " (six hex octets separated by ':'), got \"02:00:00:00:00\"")),
                problems("cipherlane.interfaces = [ { name = eth0, mac = \"02:00:00:00:00\" } ]"));
    }

    @Test
    void multicastMac() {
        assertEquals(List.of(at(1, "cipherlane.interfaces[0].mac: expected a unicast MAC address (the lowest bit of the first"
                + " octet clear), got \"01:00:5e:00:00:01\"")),
                problems("cipherlane.interfaces = [ { name = eth0, mac = \"01:00:5e:00:00:01\" } ]"));
    }

    @Test
    void interfaceNameTooLongAndAddressMalformed() {
        assertEquals(List.of(
                at(2, "cipherlane.interfaces[0].name: expected an interface name of 1..15 bytes without '/', ':' or spaces,"
                        + " got \"this-name-is-too-long\""),
                at(3, "cipherlane.interfaces[0].addresses[0]: expected an address with its prefix length like 10.0.0.1/24,"
                        + " got \"10.0.0.1\"")),
                problems("""
                        cipherlane.interfaces = [
                          { name = "this-name-is-too-long"
                            addresses = ["10.0.0.1"] }
                        ]
                        """));
    }

    @Test
    void interfaceWithoutAName() {
        assertEquals(List.of(at(1, "cipherlane.interfaces[0].name: expected an interface name of 1..15 bytes without '/',"
                + " ':' or spaces, got nothing")), problems("cipherlane.interfaces = [ { mac = \"02:00:00:00:00:01\" } ]"));
    }

    @Test
    void twoInterfacesWithOneName() {
        assertEquals(List.of(at(2, "cipherlane.interfaces[1].name: expected a name not used by another interface, but eth0 is"
                + " already on line 1, got \"eth0\"")), problems("""
                cipherlane.interfaces = [ { name = eth0 }
                                          { name = "eth0" } ]
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
                          routes = [ { prefix = "fd00::/129", via = ["fd00::1"] } ]
                          interfaces = [ { name = eth0, mac = "02:00:00:00:00:zz" } ]
                        }
                        """)));
        List<String> expected = List.of(
                at(2, "cipherlane.neighbour.reachable-time: expected a duration in 1s..1h with a unit, like 30s, got \"forever\""),
                at(4, "cipherlane.dataplane.workers: expected an integer in 1..64, got 100"),
                at(5, "cipherlane.dataplane.ring-sise: expected one of workers, buffers, ring-size, trace, idle"
                        + " (did you mean ring-size?), got an unknown key"),
                at(7, "cipherlane.routes[0].prefix: expected an IPv6 prefix length in 0..128, got \"fd00::/129\""),
                at(8, "cipherlane.interfaces[0].mac: expected a MAC address like 02:00:00:00:00:01"
                        + " (six hex octets separated by ':'), got \"02:00:00:00:00:zz\""));
        assertEquals(expected, e.problems().stream().map(ConfigProblem::render).toList());
        assertEquals(String.join("\n", expected), e.getMessage());
        ConfigProblem first = e.problems().getFirst();
        assertEquals(new ConfigProblem(dir.resolve("bad.conf").toString(), 2, "cipherlane.neighbour.reachable-time",
                "a duration in 1s..1h with a unit, like 30s", "\"forever\""), first);
    }
}
