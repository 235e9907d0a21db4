/**
 * JMH microbenchmarks of in-JVM costs with no C counterpart (record and map codecs, record views),
 * run by {@code make bench}. Not API.
 */
package dev.jbpf.bench.jmh;
