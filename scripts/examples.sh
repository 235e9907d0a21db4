#!/usr/bin/env bash
# Builds and tests each project in examples/ as a user would: `mvn verify` against the jbpf
# artifacts `make build` installed into the local Maven repository (no reactor, no -o: a fresh
# machine resolves Maven's own plugins from Maven Central). Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
for pom in examples/*/pom.xml; do
  dir=$(dirname "$pom")
  start=$SECONDS
  echo "examples: $dir"
  if ! mvn -B -q -Dstyle.color=never -f "$pom" verify; then
    echo "examples: $dir FAILED" >&2
    exit 1
  fi
  echo "examples: $dir built, tested: $((SECONDS - start)) s"
done
