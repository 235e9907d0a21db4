# jbpf: `make demo` runs the live demo, `make test` runs every test. Both install what is
# missing first (make deps), so two commands on a fresh Debian 12 machine do all the set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := build

JDK := $(shell scripts/find-jdk.sh)
export JAVA_HOME := $(JDK)
export PATH := $(JDK)/bin:$(PATH)
# Maven 3.8 runs a Guava that pokes sun.misc.Unsafe: JDK 25 warns about it on every run
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
MVN := mvn -B -q -Dstyle.color=never

CLANG ?= clang-19
BPFTOOL ?= bpftool
BPF_OUT := build/bpf
BPF_SRCS := $(wildcard bpf-src/*.bpf.c)
BPF_OBJS := $(patsubst bpf-src/%.bpf.c,$(BPF_OUT)/%.bpf.o,$(BPF_SRCS))
# programs the verifier must reject, one per kind of failure (VerifierDiagnosisTest)
BPF_TEST_SRCS := $(wildcard bpf-src/tests/*.bpf.c)
BPF_TEST_OBJS := $(patsubst bpf-src/tests/%.bpf.c,$(BPF_OUT)/tests/%.bpf.o,$(BPF_TEST_SRCS))
BPF_CFLAGS := -target bpf -g -O2 -Wall -D__TARGET_ARCH_x86 -I$(BPF_OUT) -Ibpf-src
# `jbpf export` configs (examples/exporters/README.md): build/exporters is a complete config
# dir, each NAME.bpf.o beside a copy of its NAME.yaml, as ebpf_exporter's --config.dir expects
EXPORTER_OUT := build/exporters
EXPORTER_SRCS := $(wildcard examples/exporters/*.bpf.c)
EXPORTER_FILES := $(patsubst examples/exporters/%.bpf.c,$(EXPORTER_OUT)/%.bpf.o,$(EXPORTER_SRCS)) \
	$(patsubst examples/exporters/%.bpf.c,$(EXPORTER_OUT)/%.yaml,$(EXPORTER_SRCS))

.PHONY: deps jdk build bpf java bindings test demo kernel-fs clean vm-kernels vm-test

# The kernel matrix (README, "Kernels"): the classes in vm/kernel-matrix-tests run in a qemu VM
# of each Debian kernel; JUnit XML in build/vm-test/KERNEL/. scripts/vm-run runs anything there.
VM_KERNELS ?= 5.10 6.1 6.12

deps:
	@scripts/deps.sh

jdk:
	@test -n "$(JDK)" || { echo "no JDK >= 22 found (see above)"; exit 1; }

bpf: deps $(BPF_OBJS) $(BPF_TEST_OBJS) $(EXPORTER_FILES) build/test-bin/trace_target build/test-bin/busy_target \
	build/test-bin/usdt_target

# The user-space process the uprobe and USDT tests trace (<sys/sdt.h>: systemtap-sdt-dev).
# No PIE, so its file offsets differ from its addresses, which the uprobe offset tests need.
build/test-bin/trace_target: test-programs/trace_target.c | deps
	@mkdir -p $(@D)
	gcc -O2 -g -no-pie -Wall -o $@ $<

# A binary the USDT listing tests read: two providers, semaphores, one probe at two call sites
# (PIE, as most binaries are; trace_target's probe has no semaphore).
build/test-bin/usdt_target: test-programs/usdt_target.c | deps
	@mkdir -p $(@D)
	gcc -O2 -g -Wall -o $@ $<

# The process the profiler test samples: -O0 and frame pointers in every function (gcc -O2 omits
# them in leaf functions), so the kernel walks its whole user stack.
build/test-bin/busy_target: test-programs/busy_target.c | deps
	@mkdir -p $(@D)
	gcc -O0 -g -fno-omit-frame-pointer -Wall -o $@ $<

$(BPF_OUT)/vmlinux.h: /sys/kernel/btf/vmlinux | deps
	@mkdir -p $(BPF_OUT)
	$(BPFTOOL) btf dump file $< format c > $@.tmp && mv $@.tmp $@

# codegen_shapes_v2.bpf.c is codegen_shapes.bpf.c with one field moved (it includes it)
$(BPF_OUT)/codegen_shapes_v2.bpf.o: bpf-src/codegen_shapes.bpf.c

# isa.bpf.o covers cpu v4's instructions (ldsx, movsx, sdiv/smod, bswap) for the decoder tests
$(BPF_OUT)/isa.bpf.o: BPF_CFLAGS += -mcpu=v4

$(BPF_OUT)/%.bpf.o: bpf-src/%.bpf.c $(wildcard bpf-src/*.h) $(BPF_OUT)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_OUT)/tests/%.bpf.o: bpf-src/tests/%.bpf.c $(wildcard bpf-src/tests/*.h) $(BPF_OUT)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(EXPORTER_OUT)/%.bpf.o: examples/exporters/%.bpf.c $(wildcard examples/exporters/*.h) $(BPF_OUT)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -Iexamples/exporters -c $< -o $@

$(EXPORTER_OUT)/%.yaml: examples/exporters/%.yaml
	@mkdir -p $(@D)
	cp $< $@

java: jdk deps
	$(MVN) -DskipTests install

# cli/target/jbpf.aot: the JDK 25 AOT cache bin/jbpf starts with (scripts/aot-cache.sh)
build: bpf java
	@scripts/aot-cache.sh
	@mkdir -p build/completion && bin/jbpf completion bash > build/completion/jbpf.bash.tmp \
		&& mv build/completion/jbpf.bash.tmp build/completion/jbpf.bash

bindings: jdk deps
	bindings/generate.sh bindings/src/main/java

kernel-fs:
	@scripts/kernel-fs.sh

# The container image jbpf:VERSION and jbpf:latest from the Dockerfile (scripts/image.sh): starts
# the Docker engine when none answers and builds a Debian base with debootstrap once when there
# is no debian:bookworm-slim (BASE_IMAGE=... picks another base).
.PHONY: image
image: build
	@BASE_IMAGE="$(BASE_IMAGE)" scripts/image.sh

# The kernel features this machine (the project's host: kernel 6.18, no kprobes, fentry and LSM
# refused with EPERM, no hardware PMU) is known to have: a test that needs one of them fails
# instead of skipping when its probe says it is missing (dev.jbpf.testing.TestGate). A fixed
# list, not probed, so that a broken probe or a lost feature cannot pass as a skip; on another
# machine say what it has: make test JBPF_REQUIRED_FEATURES=uprobes,... (ids: dev.jbpf.testing.Feature).
JBPF_REQUIRED_FEATURES ?= uprobes,uprobe_multi,tcx,cgrp_storage

# the host suite first (a minute or two, the container tests with it), then the same build's
# kernel-matrix classes in the VMs (vm-test); then one line per test tag (scripts/test-summary),
# also when a step failed. build/test-start leaves out the reports of earlier runs.
test: build kernel-fs image vm-kernels
	@mkdir -p build && touch build/test-start
	JBPF_REQUIRED_FEATURES=$(JBPF_REQUIRED_FEATURES) mvn -B -Dstyle.color=never test \
		|| { scripts/test-summary --since build/test-start; exit 1; }
	@scripts/check-modules.sh
	@scripts/examples.sh
	@scripts/vm-test $(VM_KERNELS) || { scripts/test-summary --since build/test-start; exit 1; }
	@scripts/reliability-report
	@scripts/test-summary --since build/test-start

# examples/: user projects built through the jbpf-maven-plugin against the installed artifacts
.PHONY: examples
examples: build kernel-fs
	@scripts/examples.sh

vm-kernels: deps
	@scripts/vm-kernels $(VM_KERNELS)

vm-test: build vm-kernels
	@scripts/vm-test $(VM_KERNELS)

demo: build kernel-fs
	@scripts/demo.sh

# `make bench` (scripts/bench.sh, a few minutes): jbpf against C libbpf and bpftool on the same
# kernel objects; one line per comparison, the table into BENCHMARKS.md. C consumers: bench/*.c;
# Go (cilium/ebpf) consumers: bench/go, built by bench.sh (Go 1.23 from make deps).
.PHONY: bench
BENCH_C := $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))
build/bench/%: bench/%.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -o $@ $< -lbpf -lpthread

bench: build kernel-fs $(BENCH_C)
	@scripts/bench.sh

clean:
	rm -rf build
	$(MVN) clean
