#!/usr/bin/env bash
# Regenerates the libbpf FFM bindings: bindings/generate.sh [OUTDIR]
# OUTDIR is a Java source root (default: bindings/src/main/java); the generator writes
# OUTDIR/dev/jbpf/bindings/*.java and removes stale files there. Needs clang-19 (CLANG=...
# overrides) and a JDK >= 22 (scripts/find-jdk.sh: $JAVA_HOME, else the newest one in /usr/lib/jvm).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/src/main/java}"
jdk="$("$here/../scripts/find-jdk.sh")"

# Compile to a temporary directory (javac is faster than the source launcher for several files).
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
"$jdk/bin/javac" -d "$classes" -Xlint:all "$here"/generator/src/dev/jbpf/generator/*.java
"$jdk/bin/java" -cp "$classes" dev.jbpf.generator.Generator "$out"
