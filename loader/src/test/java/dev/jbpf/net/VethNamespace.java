package dev.jbpf.net;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of its own, {@code jbpf-test-<pid>-<n>}, joined to this process's
 * namespace by a veth pair: the host end ({@link #hostInterface()}) stays here, where this
 * process can attach XDP and TC programs to it; the peer end, {@code veth0}, is inside the
 * namespace. Both ends get link-local addresses of one /30, so traffic between them stays on
 * the pair. Test code: {@link #close()} deletes the namespace, which deletes the pair.
 */
public final class VethNamespace implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final String PEER = "veth0";

    private final String namespace;
    private final String hostInterface;
    private final String hostAddress;
    private final String peerAddress;
    private boolean closed;

    private VethNamespace(String namespace, String hostInterface, String hostAddress, String peerAddress) {
        this.namespace = namespace;
        this.hostInterface = hostInterface;
        this.hostAddress = hostAddress;
        this.peerAddress = peerAddress;
    }

    /** Creates the namespace and the pair, both ends up with their addresses. */
    public static VethNamespace create() {
        long pid = ProcessHandle.current().pid();
        int n = COUNT.incrementAndGet();
        // 169.254.10.0 - 169.254.159.255: link-local, clear of 169.254.169.254 (cloud metadata)
        int subnet = 10 + (int) ((pid + n) % 150);
        VethNamespace veth = new VethNamespace("jbpf-test-" + pid + "-" + n, "jbh" + pid + "-" + n,
                "169.254." + subnet + ".1", "169.254." + subnet + ".2");
        try {
            veth.setUp();
        } catch (RuntimeException | AssertionError e) {
            veth.close();
            throw e;
        }
        return veth;
    }

    private void setUp() {
        Command.ok("ip", "netns", "add", namespace);
        Command.ok("ip", "link", "add", hostInterface, "type", "veth", "peer", "name", PEER, "netns", namespace);
        Command.ok("ip", "addr", "add", hostAddress + "/30", "dev", hostInterface);
        Command.ok("ip", "link", "set", hostInterface, "up");
        inNamespace("ip", "addr", "add", peerAddress + "/30", "dev", PEER).orThrow();
        inNamespace("ip", "link", "set", PEER, "up").orThrow();
        inNamespace("ip", "link", "set", "lo", "up").orThrow();
    }

    public String namespace() {
        return namespace;
    }

    /** The end in this process's namespace, where the programs attach. */
    public String hostInterface() {
        return hostInterface;
    }

    /** The host end's address, where the namespace sends its traffic. */
    public String hostAddress() {
        return hostAddress;
    }

    /** Runs a command inside the namespace ({@code ip netns exec}). */
    public Command.Result inNamespace(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = namespace;
        System.arraycopy(command, 0, full, 4, command.length);
        return Command.run(full);
    }

    /**
     * From inside the namespace, makes {@code times} TCP connections to {@code server} (on
     * the host end), each sending a line and reading it back. Returns the bash script's result:
     * exit 0 when every exchange worked.
     */
    public Command.Result exchange(EchoServer server, int times, int timeoutSeconds) {
        return inNamespace("timeout", String.valueOf(timeoutSeconds), "bash", "-c",
                EchoServer.clientScript(server.address(), server.port(), times));
    }

    /** Deletes the namespace (and with it both ends of the pair). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Command.run("ip", "netns", "del", namespace);
        // the host end goes with its peer; delete it ourselves if it lingers
        if (Command.run("ip", "link", "show", hostInterface).succeeded()) {
            Command.run("ip", "link", "del", hostInterface);
        }
    }
}
