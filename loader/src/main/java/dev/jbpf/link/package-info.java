/**
 * Attachments of loaded programs to kernel hooks: {@link dev.jbpf.link.BpfLink}, one type for
 * every kind of attachment, owning its libbpf {@code struct bpf_link}.
 */
package dev.jbpf.link;
