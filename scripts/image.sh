#!/usr/bin/env bash
# make image: the container image jbpf:VERSION and jbpf:latest from the top-level Dockerfile.
# Needs `make build` (the CLI jar, the BPF objects); starts the Docker engine when none
# answers, makes the base image and the jlink'd Java runtime when missing, then `docker build`
# (cached layers make a rebuild with nothing changed take seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

jar=cli/target/jbpf.jar
[ -f "$jar" ] || { echo "image: $jar is missing; run 'make build'" >&2; exit 1; }
compgen -G 'build/bpf/*.bpf.o' > /dev/null || { echo "image: no build/bpf/*.bpf.o; run 'make build'" >&2; exit 1; }
compgen -G 'build/exporters/*.bpf.o' > /dev/null || { echo "image: no build/exporters/*.bpf.o; run 'make build'" >&2; exit 1; }
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
[ -n "$version" ] || { echo "image: no <version> in pom.xml" >&2; exit 1; }

start=$SECONDS
scripts/docker-engine.sh
base=$(scripts/base-image.sh)
scripts/java-runtime.sh "$jar" build/image/jre

log=build/image/docker-build.log
# --network host: the apt step reaches Debian's archive without a bridge network (the engine
# runs with --bridge=none). DOCKER_BUILDKIT=0: Docker 20.10's own builder, no buildx needed.
if ! DOCKER_BUILDKIT=0 docker build --network host --build-arg BASE_IMAGE="$base" --build-arg VERSION="$version" \
    -t "jbpf:$version" -t jbpf:latest . > "$log" 2>&1; then
  echo "image: docker build failed; the end of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
size=$(docker image inspect -f '{{.Size}}' "jbpf:$version" | awk '{printf "%.0f MB", $1 / 1e6}')
echo "image: jbpf:$version and jbpf:latest (base $base, $size) in $((SECONDS - start)) s"
