/**
 * Runtime support of generated skeletons ({@code jbpf gen skeleton}, the jbpf-maven-plugin):
 * {@link dev.jbpf.skeleton.Skeletons} finds a skeleton's object on the classpath,
 * {@link dev.jbpf.skeleton.SkeletonTypes} checks the object's BTF against the layout the
 * skeleton was generated from and binds its records to maps, ring buffers and perf buffers.
 * User code calls the generated class, not these.
 */
package dev.jbpf.skeleton;
