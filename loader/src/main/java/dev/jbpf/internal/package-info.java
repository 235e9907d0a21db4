/**
 * Not API: helpers shared by jbpf's packages — errno names, libbpf's log callback, checked
 * libbpf calls, the few libc calls jbpf needs, file descriptors, bpffs, ownership state.
 * May change without notice.
 */
package dev.jbpf.internal;
