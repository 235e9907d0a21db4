// The Go (cilium/ebpf) side of `make bench`: see main.go. Built by scripts/bench.sh into
// build/bench/cilium_bench with Debian's Go 1.23 (golang-1.23-go, bookworm-backports), offline:
// GOPROXY=off, GOFLAGS=-mod=readonly, GOTOOLCHAIN=local. The three modules come from Debian 13's
// packages of their source (scripts/bench-go-deps.sh unpacks them under build/go-deps), hence the
// replace directives; the versions below are the upstream versions those packages carry.
module dev.jbpf/bench/go

go 1.23

require (
	github.com/cilium/ebpf v0.11.0
	golang.org/x/sys v0.22.0
)

// Debian packages x/exp at upstream commit 7918f67 of 2023-10-06; the time and hash fields of this
// pseudo-version are placeholders (the replace directive below decides what is built).
require golang.org/x/exp v0.0.0-20231006000000-7918f6700000 // indirect

replace (
	github.com/cilium/ebpf => ../../build/go-deps/root/usr/share/gocode/src/github.com/cilium/ebpf
	golang.org/x/exp => ../../build/go-deps/root/usr/share/gocode/src/golang.org/x/exp
	golang.org/x/sys => ../../build/go-deps/root/usr/share/gocode/src/golang.org/x/sys
)
