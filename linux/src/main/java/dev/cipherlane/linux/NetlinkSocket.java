package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A netlink socket (netlink(7)) talking to the kernel, request by request: each request
 * gets the next sequence number and is answered before the next one goes out.
 *
 * <ul>
 *   <li>{@link #request} sends with NLM_F_ACK and waits for the NLMSG_ERROR that acks it;
 *       any answer before the ack (the reply to a GET) goes to the caller.</li>
 *   <li>{@link #dump} sends an NLM_F_DUMP request and hands over every message up to
 *       NLMSG_DONE.</li>
 *   <li>{@link #requestBatch} sends several messages in one datagram (an nfnetlink batch)
 *       and collects the ack of each.</li>
 * </ul>
 *
 * A negative error in the ack becomes a {@link LinuxException} whose call is the caller's
 * description of the operation and whose detail is the kernel's extended-ack text when it
 * gave one: {@code RTM_NEWROUTE default via 192.0.2.1 dev tap0: ENETUNREACH (101): Network is
 * unreachable (Nexthop has invalid gateway)}. The description is asked for only then, so it
 * may itself query the kernel (to turn an interface index into a name).
 *
 * <p>The socket is bound to a port id the kernel picks, so several instances coexist in one
 * process; replies whose sequence number is not the current request's (left over from a
 * request that timed out) are skipped. It lives in the network namespace of the thread that
 * opened it. Calls are serialized; the buffers are reused, so nothing but the decoded
 * results is allocated per request.
 */
public final class NetlinkSocket implements AutoCloseable {
    /** Receive buffer: dump parts are at most 32 KB (netlink_dump's cap), single replies smaller. */
    public static final int RECEIVE_BUFFER_SIZE = 64 * 1024;
    /** How long to wait for the kernel's answer before giving up with EAGAIN. */
    public static final long REPLY_TIMEOUT_MS = 10_000;

    private final int fd;
    private final int protocol;
    private final int portId;
    private final MemorySegment kernel;
    private final MemorySegment rx;
    private final NetlinkReply reply;
    private int sequence;
    private volatile boolean closed;

    private NetlinkSocket(int fd, int protocol, int portId, Arena arena) {
        this.fd = fd;
        this.protocol = protocol;
        this.portId = portId;
        this.kernel = arena.allocate(SockAddr.NL_SIZE, 4);
        SockAddr.netlink(kernel, 0, 0);
        this.rx = arena.allocate(RECEIVE_BUFFER_SIZE, 8);
        this.reply = new NetlinkReply(rx);
    }

    /**
     * Opens and binds a socket of netlink {@code protocol} ({@link Netlink#NETLINK_ROUTE}
     * ...) in the calling thread's network namespace.
     */
    public static NetlinkSocket open(int protocol) throws LinuxException {
        int fd = Sockets.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC, protocol);
        try {
            // Automatic arena: the buffers live while the object does (see Epoll).
            Arena arena = Arena.ofAuto();
            MemorySegment local = arena.allocate(SockAddr.NL_SIZE, 4);
            Sockets.bind(fd, local, SockAddr.netlink(local, 0, 0));
            Sockets.getsockname(fd, local);
            // Acks carry the request's header only, plus the kernel's error text.
            optional(fd, Netlink.NETLINK_CAP_ACK);
            optional(fd, Netlink.NETLINK_EXT_ACK);
            Sockets.setReceiveTimeout(fd, REPLY_TIMEOUT_MS);
            return new NetlinkSocket(fd, protocol, SockAddr.netlinkPortId(local), arena);
        } catch (LinuxException | RuntimeException e) {
            try {
                Libc.close(fd);
            } catch (LinuxException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Kernels before 4.3 / 4.12 lack these options; requests work without them. */
    private static void optional(int fd, int option) throws LinuxException {
        try {
            Sockets.setsockopt(fd, Netlink.SOL_NETLINK, option, 1);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOPROTOOPT) {
                throw e;
            }
        }
    }

    public int fd() {
        return fd;
    }

    public int protocol() {
        return protocol;
    }

    /** The port id the kernel bound this socket to (sockaddr_nl.nl_pid). */
    public int portId() {
        return portId;
    }

    /**
     * Sends {@code request} with NLM_F_REQUEST | NLM_F_ACK added and waits for the kernel's
     * ack. Messages answering it before the ack go to {@code onReply} (may be null when
     * none are expected).
     */
    public synchronized void request(NetlinkMessage request, Supplier<String> what, Consumer<NetlinkReply> onReply)
            throws LinuxException {
        transact(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, what, onReply, false);
    }

    /**
     * Sends {@code request} with NLM_F_REQUEST | NLM_F_DUMP added and hands every message of
     * the dump to {@code onMessage}. Returns false when the kernel flagged the dump as
     * interrupted (NLM_F_DUMP_INTR: the table changed while it was dumped, so it may be
     * inconsistent); callers dump again.
     */
    public synchronized boolean dump(NetlinkMessage request, Supplier<String> what, Consumer<NetlinkReply> onMessage)
            throws LinuxException {
        return transact(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, what, onMessage, true);
    }

    /**
     * Sends {@code messages} together in one datagram, numbered with consecutive sequence
     * numbers, and waits for the ack of every one that asks for it (NLM_F_ACK). This is how
     * an nfnetlink batch goes out (NFNL_MSG_BATCH_BEGIN, the changes, NFNL_MSG_BATCH_END):
     * the kernel handles the whole datagram before answering, and acks each change only
     * once the batch is through. The flags are sent as the messages carry them: nothing is
     * added.
     *
     * <p>Any error fails the call with a {@link LinuxException} whose call is
     * {@code what.apply(i)} for the first failing message {@code i} (errors of later messages
     * are attached as suppressed). An error may also come for a message that did not ask
     * for an ack (nf_tables answers a failed commit on the batch's first message); after
     * one, whatever else is queued is read without waiting and the call fails. Answers other
     * than acks are ignored.
     */
    public synchronized void requestBatch(List<NetlinkMessage> messages, IntFunction<String> what)
            throws LinuxException {
        checkOpen();
        int n = messages.size();
        if (n == 0) {
            return;
        }
        long total = 0;
        for (NetlinkMessage m : messages) {
            if (!m.isFinished()) {
                throw new IllegalStateException("finish() every message before sending the batch");
            }
            total += Netlink.align(m.length());
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch of " + total + " bytes");
        }
        int first = sequence + 1;
        boolean[] wantsAck = new boolean[n];
        int pending = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tx = arena.allocate(total, Netlink.ALIGNTO);
            long at = 0;
            for (int i = 0; i < n; i++) {
                NetlinkMessage m = messages.get(i);
                m.setSequence(++sequence);
                MemorySegment.copy(m.segment(), 0, tx, at, m.length());
                at += Netlink.align(m.length());
                wantsAck[i] = (m.flags() & Netlink.NLM_F_ACK) != 0;
                if (wantsAck[i]) {
                    pending++;
                }
            }
            long sent = Sockets.sendto(fd, tx, 0, total, 0, kernel, SockAddr.NL_SIZE);
            if (sent != total) {
                throw new LinuxException(what.apply(0), sent == Libc.WOULD_BLOCK ? Errno.EAGAIN : Errno.EMSGSIZE,
                        "sent " + sent + " of " + total + " bytes");
            }
        }
        boolean[] acked = new boolean[n];
        LinuxException[] errors = new LinuxException[n];
        boolean failedWithoutAck = false;
        while (pending > 0 || failedWithoutAck) {
            long got = Sockets.recv(fd, rx, 0, rx.byteSize(),
                    Sockets.MSG_TRUNC | (failedWithoutAck ? Sockets.MSG_DONTWAIT : 0));
            if (got == Libc.WOULD_BLOCK) {
                if (failedWithoutAck) {
                    break;
                }
                int waiting = 0;
                while (acked[waiting] || !wantsAck[waiting]) {
                    waiting++;
                }
                throw new LinuxException(what.apply(waiting), Errno.EAGAIN,
                        "no ack within " + REPLY_TIMEOUT_MS + " ms");
            }
            if (got > rx.byteSize()) {
                throw new LinuxException(what.apply(0), Errno.EMSGSIZE,
                        "answer of " + got + " bytes truncated to " + rx.byteSize());
            }
            reply.reset((int) got);
            while (reply.next()) {
                int i = reply.sequence() - first;
                if (i < 0 || i >= n) {
                    continue;
                }
                if (reply.type() == Netlink.NLMSG_OVERRUN) {
                    throw new LinuxException(what.apply(i), Errno.ENOBUFS, "overrun");
                }
                if (reply.type() != Netlink.NLMSG_ERROR) {
                    continue;
                }
                int error = reply.payloadInt(0);
                if (wantsAck[i] && !acked[i]) {
                    acked[i] = true;
                    pending--;
                } else if (error != 0) {
                    failedWithoutAck = true;
                }
                if (error != 0 && errors[i] == null) {
                    errors[i] = new LinuxException(what.apply(i), -error, extendedAckText());
                }
            }
        }
        LinuxException failure = null;
        for (LinuxException e : errors) {
            if (e == null) {
                continue;
            }
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private boolean transact(NetlinkMessage request, int addFlags, Supplier<String> what,
                             Consumer<NetlinkReply> onMessage, boolean dump) throws LinuxException {
        checkOpen();
        if (!request.isFinished()) {
            throw new IllegalStateException("finish() the message before sending it");
        }
        int seq = ++sequence;
        request.setSequence(seq);
        request.addFlags(addFlags);
        long sent = Sockets.sendto(fd, request.segment(), 0, request.length(), 0, kernel, SockAddr.NL_SIZE);
        if (sent != request.length()) {
            throw new LinuxException(what.get(), sent == Libc.WOULD_BLOCK ? Errno.EAGAIN : Errno.EMSGSIZE,
                    "sent " + sent + " of " + request.length() + " bytes");
        }
        boolean consistent = true;
        while (true) {
            long n = Sockets.recv(fd, rx, 0, rx.byteSize(), Sockets.MSG_TRUNC);
            if (n == Libc.WOULD_BLOCK) {
                throw new LinuxException(what.get(), Errno.EAGAIN, "no answer within " + REPLY_TIMEOUT_MS + " ms");
            }
            if (n > rx.byteSize()) {
                throw new LinuxException(what.get(), Errno.EMSGSIZE,
                        "answer of " + n + " bytes truncated to " + rx.byteSize());
            }
            reply.reset((int) n);
            while (reply.next()) {
                if (reply.sequence() != seq) {
                    continue;
                }
                if ((reply.flags() & Netlink.NLM_F_DUMP_INTR) != 0) {
                    consistent = false;
                }
                switch (reply.type()) {
                    case Netlink.NLMSG_NOOP -> { }
                    case Netlink.NLMSG_ERROR -> {
                        int error = reply.payloadInt(0);
                        if (error == 0) {
                            return consistent;
                        }
                        String text = extendedAckText();
                        throw new LinuxException(what.get(), -error, text);
                    }
                    case Netlink.NLMSG_DONE -> {
                        // A dump's end carries its own error code (int) when it failed midway.
                        int error = reply.payloadLength() >= 4 ? reply.payloadInt(0) : 0;
                        if (error < 0) {
                            throw new LinuxException(what.get(), -error);
                        }
                        if (dump) {
                            return consistent;
                        }
                    }
                    case Netlink.NLMSG_OVERRUN -> throw new LinuxException(what.get(), Errno.ENOBUFS, "overrun");
                    default -> {
                        if (onMessage != null) {
                            onMessage.accept(reply);
                        }
                    }
                }
            }
        }
    }

    /**
     * The NLMSGERR_ATTR_MSG text of the current NLMSG_ERROR, if any. Layout (netlink.h,
     * struct nlmsgerr): int error, the request's nlmsghdr, the request's payload unless the
     * ack is NLM_F_CAPPED, then the attributes when NLM_F_ACK_TLVS is set.
     */
    private String extendedAckText() {
        if ((reply.flags() & Netlink.NLM_F_ACK_TLVS) == 0 || reply.payloadLength() < 4 + Netlink.HEADER_SIZE) {
            return null;
        }
        int echoed = Netlink.HEADER_SIZE;
        if ((reply.flags() & Netlink.NLM_F_CAPPED) == 0) {
            echoed = Netlink.align(reply.payloadInt(4));
        }
        int from = reply.payload() + 4 + echoed;
        if (from > reply.end()) {
            return null;
        }
        String text = NetlinkAttributes.parse(rx, from, reply.end()).string(Netlink.NLMSGERR_ATTR_MSG);
        return text == null || text.isEmpty() ? null : text;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket " + fd + " is closed");
        }
    }

    @Override
    public void close() throws LinuxException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Libc.close(fd);
    }
}
