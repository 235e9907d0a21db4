/**
 * Typed Java skeletons from compiled BPF objects: {@code SkeletonGenerator} reads an object's
 * programs, maps, global variables and BTF types and writes one Java source (records, enums,
 * typed maps, typed globals) that uses the loader's runtime support ({@code dev.jbpf.skeleton}).
 * {@code Main} is the command line the Maven plugin forks. See SKELETON.md in this module.
 */
package dev.jbpf.codegen;
