#!/usr/bin/env bash
# Regenerates the libbpf FFM bindings: bindings/generate.sh [OUTDIR]
# OUTDIR is a Java source root (default: bindings/src/main/java); the generator writes
# OUTDIR/dev/jbpf/bindings/*.java and removes stale files there. Needs clang-19 (CLANG=...
# overrides) and a JDK >= 22 ($JAVA_HOME, else the newest one in /usr/lib/jvm).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/src/main/java}"

java_ok() { # prints the feature version of $1/bin/java when it is >= 22
  [ -x "$1/bin/java" ] || return 1
  local v
  v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ -n "$v" ] && [ "${v%%.*}" -ge 22 ]
}

jdk=""
if [ -n "${JAVA_HOME:-}" ] && java_ok "$JAVA_HOME"; then
  jdk="$JAVA_HOME"
else
  for d in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    if java_ok "${d%/}"; then jdk="${d%/}"; break; fi
  done
fi
if [ -z "$jdk" ]; then
  echo "generate.sh: no JDK >= 22 found (set JAVA_HOME)" >&2
  exit 1
fi

# Compile to a temporary directory (javac is faster than the source launcher for several files).
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
"$jdk/bin/javac" -d "$classes" -Xlint:all "$here"/generator/src/dev/jbpf/generator/*.java
"$jdk/bin/java" -cp "$classes" dev.jbpf.generator.Generator "$out"
