/**
 * Java FFM bindings of libbpf, generated from its headers by bindings/generator (do not edit:
 * {@code make bindings} regenerates them; a test checks they are current). {@code LibBpf}: one
 * static method per libbpf function; one class per C struct or union with its layout and field
 * accessors; {@code BpfConstants}: the headers' enums and macros. The bindings own no native
 * memory: callers pass segments from their own arenas, and pointers libbpf returns belong to
 * libbpf (the loader's types wrap them and say who frees what).
 */
package dev.jbpf.bindings;
