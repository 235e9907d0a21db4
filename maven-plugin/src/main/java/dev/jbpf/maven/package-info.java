/**
 * The jbpf-maven-plugin: its {@code generate} goal (generate-sources) compiles a project's BPF C
 * with clang, writes vmlinux.h from the build machine's kernel BTF when asked, and generates a typed
 * skeleton class per object (jbpf-codegen), with a dependency file so unchanged inputs cost nothing.
 * Holds no native resource: it runs clang and the generator in forked processes.
 */
package dev.jbpf.maven;
