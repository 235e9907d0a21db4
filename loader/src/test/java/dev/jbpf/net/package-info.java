/**
 * Test fixtures for the networking attach points: a network namespace joined by a veth pair
 * ({@link dev.jbpf.net.VethNamespace}), a TCP echo server ({@link dev.jbpf.net.EchoServer}),
 * a cgroup v2 to run commands in ({@link dev.jbpf.net.TestCgroup}), and running commands
 * ({@link dev.jbpf.net.Command}). Every fixture removes what it created when closed.
 */
package dev.jbpf.net;
