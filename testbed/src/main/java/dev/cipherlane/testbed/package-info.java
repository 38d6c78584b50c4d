/**
 * The multi-node lab: Cipherlane nodes and their pods as network namespaces on one machine,
 * joined by veth wires, each node a real {@code cipherlane run} process with a real config
 * file, as DESIGN.md's testbed describes. Used by {@code cipherlane demo}, the chaos tests
 * and the cross-node benchmark.
 *
 * <ul>
 *   <li>{@link dev.cipherlane.testbed.Namespace} makes and removes a named network namespace
 *       and {@link dev.cipherlane.testbed.Wire} joins two with a veth pair, both through the
 *       linux module (rtnetlink, bind mounts under /run/netns), never by running {@code ip};
 *       {@link dev.cipherlane.testbed.Commands} runs tools, inside a namespace through
 *       {@code ip netns exec}.</li>
 *   <li>{@link dev.cipherlane.testbed.Lab} builds and tears down a topology from a
 *       {@link dev.cipherlane.testbed.LabSpec}, addressed by
 *       {@link dev.cipherlane.testbed.AddressPlan}; its tunnels are protected by ESP as
 *       {@link dev.cipherlane.testbed.LabIpsec} says, with mirrored static key files
 *       from {@link dev.cipherlane.testbed.LabKeys}.</li>
 *   <li>{@link dev.cipherlane.testbed.LabNode} starts, stops, kills and asks one node.</li>
 *   <li>{@link dev.cipherlane.testbed.CheckedStream} carries a known byte sequence over
 *       TCP between two namespaces and verifies every byte; {@link dev.cipherlane.testbed.Iperf}
 *       and {@link dev.cipherlane.testbed.Ping} run the usual tools.</li>
 *   <li>{@link dev.cipherlane.benchmarks.KernelRouting} and
 *       {@link dev.cipherlane.benchmarks.WireGuardRouting} join the same pods without
 *       Cipherlane, for the cross-node benchmark ({@link dev.cipherlane.benchmarks.CrossNodeBench}).</li>
 * </ul>
 *
 * Everything the lab makes lives in namespaces it creates under its own random prefix, and
 * uses addresses only inside them; nothing touches the host's own network.
 */
package dev.cipherlane.testbed;
