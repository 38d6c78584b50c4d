package dev.cipherlane.host;

import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.IpJson;
import dev.cipherlane.testbed.Namespace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * iproute2's view of a namespace ({@code ip -n <ns> ...}), the independent reader the host
 * plumbing's rtnetlink changes are checked against; it only looks, the testbed builds.
 */
public final class IpView {
    private final String netns;

    public IpView(String netns) {
        this.netns = netns;
    }

    public static IpView of(Namespace ns) {
        return new IpView(ns.name());
    }

    /** {@code ip -n <ns> args...}; throws with the output if it fails. */
    public String ip(String... args) throws IOException, InterruptedException {
        return Commands.check(Commands.run(Commands.DEFAULT_LIMIT, command(args)));
    }

    /** {@code ip -n <ns> -j args...}, parsed ({@link IpJson#objects}). */
    public List<Map<String, Object>> json(String... args) throws IOException, InterruptedException {
        List<String> withJson = new ArrayList<>(List.of("-j"));
        withJson.addAll(List.of(args));
        return IpJson.objects(ip(withJson.toArray(String[]::new)));
    }

    /** {@code ip -n <ns> args...} as a command line, for a long-running one ({@code monitor}). */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", netns));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public String netns() {
        return netns;
    }
}
