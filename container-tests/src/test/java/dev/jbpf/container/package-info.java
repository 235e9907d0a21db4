/**
 * Tests of the jbpf container image built by {@code make image}: Testcontainers runs the image
 * on the local Docker engine, and jbpf inside the container loads, attaches and reads programs
 * on the host's kernel. {@link dev.jbpf.container.JbpfImage} finds the engine, the image and
 * the capabilities the engine can grant; the tests own and remove every container they start.
 */
package dev.jbpf.container;
