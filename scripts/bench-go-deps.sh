#!/usr/bin/env bash
# The Go side of `make bench` (bench/go) builds against cilium/ebpf's source as Debian packages it
# (golang-github-cilium-ebpf-dev and the two golang.org/x modules it imports), taken from Debian
# 13 (trixie) with apt's own client and signature checks, at exact versions, and unpacked under
# build/go-deps (nothing is installed and the system's apt configuration is not touched: a private
# sources list, lists and cache under build/go-deps/apt). bench/go/go.mod points at that tree with
# replace directives, so the Go build itself is offline (GOPROXY=off, -mod=readonly).
# Why not the Go module proxy: this project's machines reach Maven Central, Debian and npm only.
# Idempotent: once unpacked (the stamp names the versions) it returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/go-deps
pkgs=(golang-github-cilium-ebpf-dev=0.11.0-2           # github.com/cilium/ebpf v0.11.0
      golang-golang-x-sys-dev=0.22.0-1                 # golang.org/x/sys v0.22.0
      golang-golang-x-exp-dev=0.0~git20231006.7918f67-2) # golang.org/x/exp at 7918f67 (2023-10-06)
stamp="$dir/.unpacked-$(printf '%s\n' "${pkgs[@]}" | md5sum | cut -c1-12)"
[ -e "$stamp" ] && exit 0

rm -rf "$dir"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/apt/parts" "$dir/debs" "$dir/root"
cat > "$dir/apt/sources.list" <<'SRC'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SRC
top=$PWD
apt_opts=(-o Dir::Etc::SourceList="$top/$dir/apt/sources.list" -o Dir::Etc::SourceParts="$top/$dir/apt/parts"
  -o Dir::State::Lists="$top/$dir/apt/lists" -o Dir::Cache="$top/$dir/apt/cache"
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$top/$dir/apt/parts"
  -o APT::Sandbox::User=root -o Debug::NoLocking=1)
apt-get "${apt_opts[@]}" update -qq
(cd "$dir/debs" && apt-get "${apt_opts[@]}" download -qq "${pkgs[@]}")
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
rm -rf "$dir/apt/lists" "$dir/apt/cache"   # the package lists (~100 MB) are not needed again
touch "$stamp"
echo "bench: cilium/ebpf and golang.org/x sources unpacked under $dir/root/usr/share/gocode/src"
