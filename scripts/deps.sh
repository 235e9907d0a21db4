#!/usr/bin/env bash
# Installs what jbpf needs to build, test and run its demo on Debian 12 (bookworm).
# Idempotent: when everything is present it only checks and returns in seconds.
set -euo pipefail

want_libbpf="1:1.4"          # libbpf 1.4.x from bookworm-backports
want_bpftool="7.5"
packages=(clang-19 llvm-19 libelf-dev zlib1g-dev gcc make maven iproute2 util-linux
  systemtap-sdt-dev        # <sys/sdt.h> for the USDT test target
  docker.io debootstrap)   # the container image and its tests (make image)
backports=(libbpf1 libbpf-dev bpftool)
backports+=(golang-1.23-go)  # Go 1.23 (/usr/lib/go-1.23/bin/go): make bench's cilium/ebpf consumers (bench/go)
packages+=(qemu-system-x86 busybox-static kmod cpio xz-utils zstd)  # the VM kernel matrix (make vm-test)
packages+=(curl)           # vm-kernels fetches Debian 11's 5.10 kernel; ExportXdpCliTest scrapes inside its netns
packages+=(libllvm19)      # LLVM's C disassembler for jbpf prog dump jited (comes with clang-19; named for clarity)
packages+=(openjdk-17-jdk-headless)  # Debian's JDK 17 (java, jcmd): the jvm and Java profile tests' second JDK

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

missing=()
for p in "${packages[@]}"; do have_pkg "$p" || missing+=("$p"); done
need_backports=0
case "$(pkg_version libbpf-dev)" in "$want_libbpf"*) ;; *) need_backports=1 ;; esac
case "$(pkg_version libbpf1)" in "$want_libbpf"*) ;; *) need_backports=1 ;; esac
case "$(pkg_version bpftool)" in "$want_bpftool"*) ;; *) need_backports=1 ;; esac
have_pkg golang-1.23-go || need_backports=1

if [ ${#missing[@]} -eq 0 ] && [ $need_backports -eq 0 ]; then
  echo "deps: all present (libbpf $(pkg_version libbpf1), bpftool $(pkg_version bpftool), clang-19, go $(pkg_version golang-1.23-go))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing ${missing[*]} ${need_backports:+(libbpf/bpftool/golang-1.23-go from bookworm-backports)}; run 'make deps' as root" >&2
  exit 1
fi

src=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > "$src" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
apt-get install -y -qq --no-install-recommends -t bookworm-backports "${backports[@]}"
echo "deps: installed (libbpf $(pkg_version libbpf1), bpftool $(pkg_version bpftool))"
