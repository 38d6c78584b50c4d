package dev.cipherlane.stages.builtin;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.neighbour.LearningPolicy;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Arp;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code arp-input}: ARP for Ethernet/IPv4 (RFC 826) as it arrives from
 * {@code ethernet-input}, packet start = ARP header.
 *
 * <p>Learning follows RFC 826's packet reception algorithm: a sender that already has an
 * entry is refreshed whatever the target (the merge rule, which also covers RFC 5227
 * gratuitous announcements), and a sender that asks for, or answers, one of the rx
 * interface's own or proxied addresses is added (a pod asking for its gateway tells us
 * its MAC). Requests for an address the rx interface owns, or
 * for one in the interface's {@link ProxySet}, are turned into the reply in place (the
 * sender becomes the target, our MAC and the asked address the sender) and leave on arc
 * {@code reply} with the Ethernet header rebuilt in the headroom, for
 * {@code ethernet-output}.
 *
 * <p>What is not answered is consumed: freed and counted under a reason that says what
 * happened ("arp reply learned", "arp request not for us"), so {@code show errors} reads as
 * an ARP activity log. Answers are counted under "arp replies sent" and "proxy arp replies
 * sent" without a drop.
 *
 * <p>Refused: a sender MAC that is zero or a group address (RFC 1812 section 3.3.2: a
 * router must not believe a broadcast or multicast link-layer address for a host), and a
 * sender claiming an address the interface owns (an address conflict, RFC 5227 section
 * 2.4: never learn it). A sender the rx interface cannot have (not the pod's own address on
 * its tap, outside the uplink's subnets on the uplink: {@link LearningPolicy}) is never
 * learned or refreshed and counted under "arp sender not learned"; a request from one for
 * our address is still answered (the reply creates no state), so a misconfigured host
 * sees why. Proxy answers are not given to RFC 5227 probes (sender address 0)
 * or announcements (sender = target): a pod checking its own address must not find it
 * taken by us.
 */
public final class ArpInput extends Stage<ArpInput.Params> {
    public static final String NAME = "arp-input";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REPLY }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        UNKNOWN_INTERFACE("unknown interface"),
        MALFORMED("malformed arp"),
        UNKNOWN_OPCODE("unknown arp opcode"),
        BAD_SENDER_MAC("arp sender mac is zero or multicast"),
        ADDRESS_CONFLICT("arp sender uses our address"),
        REPLY_LEARNED("arp reply learned"),
        REPLY_NOT_LEARNED("arp reply not learned (static entry or table full)"),
        NEIGHBOUR_REFRESHED("arp neighbour refreshed"),
        GRATUITOUS("gratuitous arp"),
        REQUEST_NOT_FOR_US("arp request not for us"),
        REPLY_NOT_FOR_US("arp reply not for us"),
        NO_HEADROOM("no headroom for arp reply"),
        REPLIES_SENT("arp replies sent"),
        PROXY_REPLIES_SENT("proxy arp replies sent"),
        SENDER_NOT_LEARNED("arp sender not learned (not an address the interface can have)");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    private static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    /**
     * @param interfaces the rx interface's MAC and addresses
     * @param neighbours where senders are learned
     * @param proxies addresses answered for without being owned
     */
    public record Params(InterfaceTable interfaces, NeighbourTable neighbours, ProxySet proxies) {}

    public ArpInput(Params params) {
        super(SPEC, params);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.interfaces() == null || p.neighbours() == null || p.proxies() == null) {
            throw new IllegalArgumentException(NAME + ": interfaces, neighbours and proxies are required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params params = params();
        InterfaceTable interfaces = params.interfaces();
        NeighbourTable neighbours = params.neighbours();
        LearningPolicy learning = neighbours.learning();
        ProxySet proxies = params.proxies();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        long now = ctx.now();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            NetInterface rx = interfaces.get(mem.rxInterface(bi));
            if (rx == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                continue;
            }
            if (mem.length(bi) < Arp.LENGTH) {
                ctx.drop(bi, Errors.MALFORMED);
                continue;
            }
            long p = mem.start(bi);
            if (u16(data, p + Arp.HARDWARE_TYPE) != Arp.HARDWARE_ETHERNET
                    || u16(data, p + Arp.PROTOCOL_TYPE) != Ethernet.ETHERTYPE_IP4
                    || data.get(Net.U8, p + Arp.HARDWARE_LENGTH) != Arp.MAC_LENGTH
                    || data.get(Net.U8, p + Arp.PROTOCOL_LENGTH) != Arp.IP4_LENGTH) {
                ctx.drop(bi, Errors.MALFORMED);
                continue;
            }
            int op = u16(data, p + Arp.OPCODE);
            if (op != Arp.REQUEST && op != Arp.REPLY) {
                ctx.drop(bi, Errors.UNKNOWN_OPCODE);
                continue;
            }
            long senderMac = Ethernet.readMac(data, p + Arp.SENDER_MAC);
            int senderIp = data.get(Net.U32, p + Arp.SENDER_IP);
            int targetIp = data.get(Net.U32, p + Arp.TARGET_IP);
            if (senderMac == 0 || Ethernet.isMulticast(senderMac)) {
                ctx.drop(bi, Errors.BAD_SENDER_MAC);
                continue;
            }
            if (senderIp != 0 && owns(rx, senderIp)) {
                ctx.drop(bi, Errors.ADDRESS_CONFLICT);
                continue;
            }
            boolean owned = owns(rx, targetIp);
            boolean proxied = !owned && senderIp != 0 && senderIp != targetIp
                    && proxies.answers(rx.index(), targetIp);
            // Standing in for a proxied address makes us the target in RFC 826's sense.
            boolean forUs = owned || proxied;
            boolean learned = false;
            boolean refreshed = false;
            // Sender 0.0.0.0 is an RFC 5227 probe: nothing to learn.
            boolean allowed = senderIp == 0 || learning.allows4(rx.index(), senderIp);
            if (!allowed) {
                if (op == Arp.REQUEST && forUs) {
                    ctx.count(Errors.SENDER_NOT_LEARNED, 1);
                } else {
                    ctx.drop(bi, Errors.SENDER_NOT_LEARNED);
                    continue;
                }
            } else if (senderIp != 0) {
                if (forUs) {
                    learned = neighbours.learn4(rx.index(), senderIp, senderMac, now);
                } else {
                    refreshed = neighbours.refresh4(rx.index(), senderIp, senderMac, now);
                }
            }
            if (op == Arp.REQUEST && forUs) {
                if (mem.dataOffset(bi) < Ethernet.HEADER_LENGTH) {
                    ctx.drop(bi, Errors.NO_HEADROOM);
                    continue;
                }
                reply(mem, bi, rx, senderMac, senderIp, targetIp);
                ctx.count(proxied ? Errors.PROXY_REPLIES_SENT : Errors.REPLIES_SENT, 1);
                ctx.enqueue(Arcs.REPLY, bi);
                continue;
            }
            int reason;
            if (forUs) {
                reason = learned ? Errors.REPLY_LEARNED.ordinal() : Errors.REPLY_NOT_LEARNED.ordinal();
            } else if (senderIp == targetIp) {
                reason = Errors.GRATUITOUS.ordinal();
            } else if (refreshed) {
                reason = Errors.NEIGHBOUR_REFRESHED.ordinal();
            } else {
                reason = op == Arp.REQUEST ? Errors.REQUEST_NOT_FOR_US.ordinal() : Errors.REPLY_NOT_FOR_US.ordinal();
            }
            ctx.drop(bi, reason);
        }
    }

    /**
     * Rewrites the request at the packet start into our reply (RFC 826: swap sender and
     * target, fill in our hardware address, set the opcode to reply), drops link padding
     * and prepends the Ethernet header, unicast back to the asker.
     */
    private static void reply(PacketMemory mem, int bi, NetInterface rx, long askerMac, int askerIp, int askedIp) {
        MemorySegment data = mem.data();
        long p = mem.start(bi);
        data.set(Net.U16, p + Arp.OPCODE, (short) Arp.REPLY);
        Ethernet.writeMac(data, p + Arp.SENDER_MAC, rx.mac());
        data.set(Net.U32, p + Arp.SENDER_IP, askedIp);
        Ethernet.writeMac(data, p + Arp.TARGET_MAC, askerMac);
        data.set(Net.U32, p + Arp.TARGET_IP, askerIp);
        mem.length(bi, Arp.LENGTH);
        mem.l3Offset(bi, mem.dataOffset(bi));
        mem.push(bi, Ethernet.HEADER_LENGTH);
        long e = mem.start(bi);
        Ethernet.writeMac(data, e + Ethernet.DESTINATION, askerMac);
        Ethernet.writeMac(data, e + Ethernet.SOURCE, rx.mac());
        data.set(Net.U16, e + Ethernet.ETHERTYPE, (short) Ethernet.ETHERTYPE_ARP);
        mem.txInterface(bi, rx.index());
    }

    /** Whether {@code itf} owns {@code address}; an index loop, so no iterator per packet. */
    static boolean owns(NetInterface itf, int address) {
        List<NetInterface.Ip4Address> addresses = itf.ip4();
        for (int i = 0, n = addresses.size(); i < n; i++) {
            if (addresses.get(i).address() == address) {
                return true;
            }
        }
        return false;
    }

    private static int u16(MemorySegment data, long at) {
        return Short.toUnsignedInt(data.get(Net.U16, at));
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Arp.LENGTH) {
            return "truncated arp of " + mem.length(bi) + " bytes, rx " + mem.rxInterface(bi);
        }
        int op = mem.u16(bi, Arp.OPCODE);
        String sender = Prefixes.format4(mem.u32(bi, Arp.SENDER_IP)) + " ("
                + new MacAddress(Ethernet.readMac(mem.data(), mem.start(bi) + Arp.SENDER_MAC)) + ")";
        String target = Prefixes.format4(mem.u32(bi, Arp.TARGET_IP));
        return switch (op) {
            case Arp.REQUEST -> "request who-has " + target + " tell " + sender + ", rx " + mem.rxInterface(bi);
            case Arp.REPLY -> "reply " + sender + " to " + target + ", rx " + mem.rxInterface(bi);
            default -> "opcode " + op + " from " + sender + ", rx " + mem.rxInterface(bi);
        };
    }
}
