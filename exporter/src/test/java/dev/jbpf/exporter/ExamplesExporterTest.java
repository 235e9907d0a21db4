package dev.jbpf.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The configs of examples/exporters as `make bpf` builds them (build/exporters: each NAME.bpf.o
 * beside its NAME.yaml), served by {@link Exporter} on the running kernel: load caused by this
 * process between two scrapes of /metrics over loopback HTTP, and the values checked, exactly
 * where the kernel allows it.
 */
@KernelTest
class ExamplesExporterTest {
    /** build/exporters, beside build/bpf (the tests' jbpf.bpf.dir). */
    private static Path configDir() {
        Path dir = Path.of(System.getProperty("jbpf.bpf.dir", "build/bpf")).toAbsolutePath().getParent().resolve("exporters");
        if (!Files.isRegularFile(dir.resolve("syscalls-by-comm.bpf.o"))) {
            throw new IllegalStateException(dir + " has no syscalls-by-comm.bpf.o: run 'make bpf' first");
        }
        return dir;
    }

    private static Exporter start(String name) {
        Exporter exporter = Exporter.start(new ExporterOptions(configDir(), List.of(name),
                ListenAddress.parse("127.0.0.1:0"), true));
        assertTrue(exporter.ready());
        assertEquals(List.of(), exporter.attachFailures());
        return exporter;
    }

    /** Runs body on a new thread named name and waits for it; rethrows what it threw. */
    private static void onThread(String name, Runnable body) throws InterruptedException {
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(body, name);
        thread.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
        thread.start();
        thread.join();
        if (failure[0] != null) {
            throw new AssertionError("thread " + name + " failed", failure[0]);
        }
    }

    private static double delta(Scrape before, Scrape after, String series) {
        return after.value(series) - before.value(series);
    }

    @Test
    void syscallsByCommCountsExactlyTheGetppidCallsOfAThreadByItsName() throws Exception {
        // unique per run, at most 15 characters (TASK_COMM_LEN 16 with the NUL)
        String comm = "jbpfx" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        int calls = 137;
        try (Exporter exporter = start("syscalls-by-comm")) {
            Scrape before = Scrape.of(exporter.port());
            onThread(comm, () -> {
                // HotSpot names the native thread after the Java thread when it starts it: the comm the kernel sees
                try {
                    assertEquals(comm, Files.readString(Path.of("/proc/thread-self/comm")).strip());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                TestSupport.getppid(calls);
            });
            Scrape after = Scrape.of(exporter.port());
            String getppid = Scrape.series("ebpf_exporter_syscalls_by_comm_total", "comm", comm, "syscall", "getppid");
            assertEquals(0, before.value(getppid), "a new comm has no count before its thread ran");
            assertEquals(calls, after.required(getppid));
            // the counter is exposed as a counter (its name ends in _total), every series of it labelled comm and syscall
            assertTrue(after.text().contains("# TYPE ebpf_exporter_syscalls_by_comm_total counter"), after.text());
            for (String series : after.seriesOf("ebpf_exporter_syscalls_by_comm_total")) {
                assertTrue(series.matches("ebpf_exporter_syscalls_by_comm_total\\{comm=\"[^\"]*\",syscall=\"[a-z0-9_]+\"\\}"), series);
            }
            // other processes' syscalls are counted too (this JVM's HTTP client and server at least)
            assertTrue(after.seriesOf("ebpf_exporter_syscalls_by_comm_total").size() > 1);
            // and the count goes on from where it was: the same thread name again, 11 calls more
            onThread(comm, () -> TestSupport.getppid(11));
            assertEquals(calls + 11, Scrape.of(exporter.port()).required(getppid));
        }
    }

    @Test
    void runqueueLatencyCountsEveryWakeUpInCumulativeExp2Buckets() throws Exception {
        int sleeps = 200;
        try (Exporter exporter = start("runqueue-latency")) {
            Scrape before = Scrape.of(exporter.port());
            // each sleep ends with a wake-up (sched_wakeup) and a switch to the thread (sched_switch): one observation
            onThread("jbpfx-sleeper", () -> {
                for (int i = 0; i < sleeps; i++) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
            });
            Scrape after = Scrape.of(exporter.port());
            String name = "ebpf_exporter_run_queue_latency_seconds";
            double count = after.required(name + "_count");
            assertTrue(count - before.value(name + "_count") >= sleeps,
                    "_count moved by " + (count - before.value(name + "_count")) + ", fewer than the " + sleeps + " wake-ups caused");
            assertTrue(after.text().contains("# TYPE " + name + " histogram"), after.text());

            // buckets: le = 2^i us for i = 0..26 (as seconds), then +Inf; cumulative, so never decreasing
            TreeMap<Double, Double> buckets = new TreeMap<>();
            for (Map.Entry<String, Double> e : after.values().entrySet()) {
                if (e.getKey().startsWith(name + "_bucket{")) {
                    String le = e.getKey().replaceAll(".*le=\"([^\"]*)\".*", "$1");
                    buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), e.getValue());
                }
            }
            assertEquals(28, buckets.size(), "27 exp2 buckets and +Inf: " + buckets);
            List<Double> bounds = new ArrayList<>(buckets.keySet());
            for (int i = 0; i <= 26; i++) {
                assertEquals(Math.pow(2, i) * 1e-6, bounds.get(i), Math.pow(2, i) * 1e-12, "bucket " + i);
            }
            double previous = 0;
            for (double cumulative : buckets.values()) {
                assertTrue(cumulative >= previous, "buckets not cumulative: " + buckets);
                previous = cumulative;
            }
            assertEquals(count, buckets.lastEntry().getValue(), "+Inf holds every observation");
            // _sum: the sum entry (key 27) times bucket_multiplier, in seconds; each wait v (whole us) of bucket i
            // has 2^(i-1) < v <= 2^i (bucket 0: v <= 1), bucket 26 everything above 2^25. A scrape reads the buckets
            // and the sum while the kernel adds to them, so 10 % of slack either way.
            double sum = after.required(name + "_sum");
            assertTrue(sum > 0, "_sum " + sum);
            double low = 0;
            double high = 0;
            double below = 0;
            for (int i = 0; i <= 26; i++) {
                double inBucket = buckets.get(bounds.get(i)) - below;
                below = buckets.get(bounds.get(i));
                low += inBucket * (i == 0 ? 0 : Math.pow(2, i - 1) + 1) * 1e-6;
                high += i == 26 && inBucket > 0 ? Double.POSITIVE_INFINITY : inBucket * Math.pow(2, i) * 1e-6;
            }
            assertTrue(sum >= low * 0.9 && sum <= high * 1.1, "_sum " + sum + " s outside what the buckets allow: [" + low + ", " + high + "]");
        }
    }

    @Test
    void tcpConnectionsCountsEachLoopbackConnectionOnceInboundAndOnceOutbound() throws Exception {
        int connections = 7;
        try (Exporter exporter = start("tcp-connections");
                ServerSocketChannel server4 = ServerSocketChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), connections);
                ServerSocketChannel server6 = ServerSocketChannel.open(StandardProtocolFamily.INET6)
                        .bind(new InetSocketAddress(InetAddress.getByName("::1"), 0), connections)) {
            String port4 = Integer.toString(((InetSocketAddress) server4.getLocalAddress()).getPort());
            String port6 = Integer.toString(((InetSocketAddress) server6.getLocalAddress()).getPort());
            Scrape before = Scrape.of(exporter.port());
            connect(server4, StandardProtocolFamily.INET, connections);
            connect(server6, StandardProtocolFamily.INET6, connections);
            Scrape after = Scrape.of(exporter.port());

            String v4 = "ebpf_exporter_tcp_connections_established_ipv4_total";
            String v6 = "ebpf_exporter_tcp_connections_established_ipv6_total";
            for (String direction : List.of("outbound", "inbound")) {
                assertEquals(connections, delta(before, after, Scrape.series(v4, "local_ip", "127.0.0.1", "peer_ip", "127.0.0.1",
                        "port", port4, "direction", direction)), direction + " IPv4\n" + after.text());
                assertEquals(connections, delta(before, after, Scrape.series(v6, "local_ip", "::1", "peer_ip", "::1",
                        "port", port6, "direction", direction)), direction + " IPv6\n" + after.text());
            }
            // nothing else at these ports: no other labels, and no connection counted in the other family's map
            assertEquals(2, seriesAtPort(after, v4, port4).size(), after.text());
            assertEquals(2, seriesAtPort(after, v6, port6).size(), after.text());
            assertEquals(List.of(), seriesAtPort(after, v6, port4));
            assertEquals(List.of(), seriesAtPort(after, v4, port6));
            // loopback loses nothing: no retransmits at these ports
            assertEquals(List.of(), seriesAtPort(after, "ebpf_exporter_tcp_retransmits_ipv4_total", port4));
            assertEquals(List.of(), seriesAtPort(after, "ebpf_exporter_tcp_retransmits_ipv6_total", port6));
        }
    }

    private static List<String> seriesAtPort(Scrape scrape, String name, String port) {
        return scrape.seriesOf(name).stream().filter(s -> s.contains("port=\"" + port + "\"")).toList();
    }

    /** count connections to server, each accepted (so established on both sides) before the next; then all closed. */
    private static void connect(ServerSocketChannel server, StandardProtocolFamily family, int count) throws IOException {
        List<SocketChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel client = SocketChannel.open(family);
                open.add(client);
                client.connect(server.getLocalAddress());
                open.add(server.accept());
            }
        } finally {
            for (SocketChannel channel : open) {
                channel.close();
            }
        }
    }
}
