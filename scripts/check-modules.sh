#!/usr/bin/env bash
# Checks the module descriptors of the published jars (built by `make build`): each jar is a named
# module that exports exactly the API packages listed here, and dev.jbpf.internal is exported only
# to jbpf's own modules. A new API package is a deliberate edit of this list (and of ARCHITECTURE.md).
# Prints `jar --describe-module`'s exports of each; exits 1 naming the first jar that differs.
set -euo pipefail
cd "$(dirname "$0")/.."
jdk="$(scripts/find-jdk.sh)"
version="$(sed -n 's|.*<version>\(.*\)</version>.*|\1|p' pom.xml | head -1)"
declare -A expected=(
  [bindings/target/jbpf-bindings-$version.jar]="dev.jbpf.bindings: dev.jbpf.bindings"
  [picocli/target/jbpf-picocli-$version.jar]="info.picocli: picocli"
  [loader/target/jbpf-loader-$version.jar]="dev.jbpf.loader: dev.jbpf dev.jbpf.asm dev.jbpf.btf dev.jbpf.elf dev.jbpf.features dev.jbpf.kallsyms dev.jbpf.link dev.jbpf.map dev.jbpf.perf dev.jbpf.program dev.jbpf.ringbuf dev.jbpf.skeleton dev.jbpf.verifier; dev.jbpf.internal to dev.jbpf.cli dev.jbpf.codegen dev.jbpf.exporter dev.jbpf.tools"
  [tools/target/jbpf-tools-$version.jar]="dev.jbpf.tools: dev.jbpf.tools dev.jbpf.tools.jvm dev.jbpf.tools.profile dev.jbpf.tools.tcptrack"
  [codegen/target/jbpf-codegen-$version.jar]="dev.jbpf.codegen: dev.jbpf.codegen"
  [exporter/target/jbpf-exporter-$version.jar]="dev.jbpf.exporter: dev.jbpf.exporter"
  [cli/target/jbpf-cli-$version.jar]="dev.jbpf.cli:"
  [maven-plugin/target/jbpf-maven-plugin-$version.jar]="dev.jbpf.maven (automatic)"
)
status=0
for jar in $(printf '%s\n' "${!expected[@]}" | sort); do
  if [ ! -f "$jar" ]; then
    echo "check-modules: $jar is missing; run 'make build'" >&2
    exit 1
  fi
  describe="$("$jdk/bin/jar" --describe-module --file "$jar")"
  name="$(printf '%s\n' "$describe" | grep -v '^No module descriptor\|^$' | head -1 | sed 's/@.*//')"
  if printf '%s\n' "$describe" | grep -q '^No module descriptor'; then
    actual="$name (automatic)"
  else
    exports="$(printf '%s\n' "$describe" | sed -n 's/^exports //p' | sort | xargs)"
    qualified="$(printf '%s\n' "$describe" | sed -n 's/^qualified exports //p' | sort | xargs)"
    actual="$name: $exports${qualified:+; $qualified}"
    actual="${actual% }"
  fi
  if [ "$actual" = "${expected[$jar]}" ]; then
    echo "check-modules: ok   $actual"
  else
    echo "check-modules: FAIL $jar" >&2
    echo "  expected: ${expected[$jar]}" >&2
    echo "  actual:   $actual" >&2
    status=1
  fi
done
exit $status
