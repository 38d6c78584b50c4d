package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.stages.graph.GraphRuntime;
import java.util.ArrayList;
import java.util.List;

/** {@code show trace}: each worker's traced packets, a line per stage each passed. */
public record TraceView(List<WorkerTrace> workers) implements OperatorView {

    public record WorkerTrace(int worker, List<TracedPacket> packets) {}

    /** @param number the packet's number in its worker's trace, from 1 */
    public record TracedPacket(int number, List<String> lines) {}

    private static final String PACKET = "Packet ";

    public static TraceView of(List<GraphRuntime> runtimes) {
        List<WorkerTrace> workers = new ArrayList<>();
        for (GraphRuntime r : runtimes) {
            List<TracedPacket> packets = new ArrayList<>();
            for (String record : r.trace().records()) {
                // A record is "Packet n" and then a line per stage (PacketTrace).
                List<String> lines = record.lines().toList();
                packets.add(new TracedPacket(Integer.parseInt(lines.getFirst().substring(PACKET.length())),
                        List.copyOf(lines.subList(1, lines.size()))));
            }
            workers.add(new WorkerTrace(r.worker(), List.copyOf(packets)));
        }
        return new TraceView(List.copyOf(workers));
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (WorkerTrace w : workers) {
            sb.append("worker ").append(w.worker()).append('\n');
            for (TracedPacket p : w.packets()) {
                sb.append(PACKET).append(p.number()).append('\n');
                for (String line : p.lines()) {
                    sb.append(line).append('\n');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
