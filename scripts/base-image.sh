#!/usr/bin/env bash
# Prints the base image for the jbpf image (Dockerfile's BASE_IMAGE), making it when needed.
# $BASE_IMAGE when it is set (docker build pulls it from a registry if it is missing); else
# debian:bookworm-slim when it is already present; else a local Debian 12 base built with
# debootstrap and `docker import` (no container registry is reachable on these machines,
# Debian's package archive is), cached as jbpf-base:bookworm: made once, then reused.
# Progress goes to stderr; stdout is only the image name.
set -euo pipefail

local_base=jbpf-base:bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
have_image() { docker image inspect "$1" > /dev/null 2>&1; }

if [ -n "${BASE_IMAGE:-}" ]; then echo "$BASE_IMAGE"; exit 0; fi
if have_image debian:bookworm-slim; then echo debian:bookworm-slim; exit 0; fi
if have_image "$local_base"; then echo "$local_base"; exit 0; fi

[ "$(id -u)" -eq 0 ] || { echo "base-image: debootstrap needs root" >&2; exit 1; }
command -v debootstrap > /dev/null || { echo "base-image: debootstrap is not installed; run 'make deps'" >&2; exit 1; }

root=$(mktemp -d /var/tmp/jbpf-base.XXXXXX)
cleanup() {
  # debootstrap leaves proc/sys mounted when it fails half-way
  for m in proc sys dev/pts; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  rm -rf "$root"
}
trap cleanup EXIT

echo "base-image: building $local_base with debootstrap from $mirror (once; a minute or a few)" >&2
start=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.log" 2>&1 || {
  echo "base-image: debootstrap failed; the end of its log:" >&2; tail -n 20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

# Slim like debian:bookworm-slim: no package caches or lists, no docs, man pages or
# translations now or in packages installed later.
cat > "$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/cache/apt/*.bin \
  "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log

tar --numeric-owner -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$local_base" > /dev/null
echo "base-image: $local_base made in $((SECONDS - start)) s ($(docker image inspect -f '{{.Size}}' "$local_base" | awk '{printf "%.0f MB", $1 / 1e6}'))" >&2
echo "$local_base"
