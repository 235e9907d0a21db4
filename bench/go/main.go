// The Go side of `make bench`: cilium/ebpf consumers on the same BPF objects and by the same
// method as bench/ringbuf_consumer.c, bench/perf_consumer.c and bench/map_dump.c (read those
// first), printing lines of the same key=value format so that scripts/bench.sh parses them alike.
//
//	cilium_bench ringbuf read|readinto OBJ SIZE SECONDS [drain | producers=N]
//	cilium_bench perf OBJ SIZE SECONDS [drain]
//	cilium_bench map-dump PIN batch|iterate
//
// Ring buffer: ringbuf.Reader.Read (a new Record, its bytes copied out of the ring, per record) or
// ReadInto with one reused Record (its buffer reused: still a copy, the closest cilium/ebpf has to
// reading in place). Live: a producer goroutine on its own OS thread runs produce_SIZE through
// BPF_PROG_TEST_RUN (100,000 records per run; see testRun) for SECONDS while the main goroutine,
// locked to its thread, reads until the producer has stopped and the ring is empty; rate = records
// / time to empty ring, and the reading thread's CPU time per record. Drain: fill the ring with as
// many records as fit, time reading it empty (a read deadline in the past: the read returns
// os.ErrDeadlineExceeded when the ring is empty, as ring_buffer__consume returns), SECONDS of such
// cycles after 3 uncounted ones.
// Perf buffer: perf.Reader (4 MiB per CPU), ReadInto with a reused Record; live for SECONDS with a
// wake-up per sample (as libbpf's perf_buffer__new sets up), or drain cycles of up to 50,000
// samples after 10 uncounted ones, with a watermark of half a fill instead.
// Map: the pinned 1M-entry hash map that map_dump create made, walked once in this new process:
// Map.BatchLookup 4096 entries per call (BPF_MAP_LOOKUP_BATCH, as the C side), or Map.Iterate
// (a MapIterator: get_next_key and a lookup per key).
package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

const (
	ringbufWarmupCycles = 3  // as WARMUP_CYCLES in ringbuf_consumer.c
	perfWarmupCycles    = 10 // as WARMUP_CYCLES in perf_consumer.c
	perfPagesPerCPU     = 1024
	chunk               = 4096 // entries per BPF_MAP_LOOKUP_BATCH, as map_dump.c
)

func main() {
	// the reading goroutine stays on one OS thread: its CPU time is that thread's
	runtime.LockOSThread()
	a := os.Args[1:]
	var err error
	switch {
	case len(a) >= 5 && a[0] == "ringbuf" && (a[1] == "read" || a[1] == "readinto"):
		err = ringbufBench(a[1], a[2], a[3], seconds(a[4]), drainArg(a[5:]))
	case len(a) >= 4 && a[0] == "perf":
		err = perfBench(a[1], a[2], seconds(a[3]), drainArg(a[4:]))
	case len(a) == 3 && a[0] == "map-dump" && (a[2] == "batch" || a[2] == "iterate"):
		err = mapDump(a[1], a[2])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cilium_bench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: cilium_bench ringbuf read|readinto OBJ SIZE SECONDS [drain]\n"+
		"       cilium_bench perf OBJ SIZE SECONDS [drain]\n       cilium_bench map-dump PIN batch|iterate")
	os.Exit(2)
}

func seconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		usage()
	}
	return time.Duration(f * float64(time.Second))
}

// producers: producer goroutines (each on an OS thread of its own) of a live run ("producers=N").
var producers = 1

func drainArg(rest []string) bool {
	switch {
	case len(rest) == 0:
		return false
	case len(rest) == 1 && rest[0] == "drain":
		return true
	case len(rest) == 1 && strings.HasPrefix(rest[0], "producers="):
		n, err := strconv.Atoi(strings.TrimPrefix(rest[0], "producers="))
		if err == nil && n >= 1 && n <= 64 {
			producers = n
			return false
		}
	}
	usage()
	return false
}

// load loads OBJ with only produce_SIZE among its programs (as the C side sets autoload).
func load(obj, size string, progType ebpf.ProgramType) (*ebpf.Collection, *ebpf.Program, error) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, nil, err
	}
	spec, err := loadSpec(obj)
	if err != nil {
		return nil, nil, err
	}
	name := "produce_" + size
	if spec.Programs[name] == nil {
		return nil, nil, fmt.Errorf("%s: no program %s", obj, name)
	}
	for n, p := range spec.Programs {
		if n != name {
			delete(spec.Programs, n)
		} else if p.Type == ebpf.UnspecifiedProgram {
			p.Type = progType // cilium/ebpf v0.11 knows "raw_tp/NAME" but not a bare SEC("raw_tp")
		}
		if p.Type == ebpf.Syscall {
			p.Flags |= unix.BPF_F_SLEEPABLE // the kernel requires it; libbpf sets it for SEC("syscall"), v0.11 does not
		}
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, nil, err
	}
	return coll, coll.Programs[name], nil
}

// loadSpec is ebpf.LoadCollectionSpec(obj), except that undefined weak symbols are read as global:
// cilium/ebpf v0.11 rejects a weak extern ("unsupported binding: STB_WEAK"), and bpf_helpers.h
// declares the kfuncs behind bpf_for (bpf_iter_num_new/next/destroy, which bench_perf.bpf.o calls)
// __weak. The instructions and everything else are the file's; later releases accept weak kfuncs.
func loadSpec(obj string) (*ebpf.CollectionSpec, error) {
	data, err := os.ReadFile(obj)
	if err != nil {
		return nil, err
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", obj, err)
	}
	for _, sec := range f.Sections {
		if sec.Type != elf.SHT_SYMTAB || f.Class != elf.ELFCLASS64 {
			continue
		}
		const symSize = 24 // Elf64_Sym: name u32, info u8, other u8, shndx u16, value u64, size u64
		for off := sec.Offset; off+symSize <= sec.Offset+sec.Size; off += symSize {
			info := &data[off+4]
			shndx := f.ByteOrder.Uint16(data[off+6:])
			if elf.ST_BIND(*info) == elf.STB_WEAK && elf.SectionIndex(shndx) == elf.SHN_UNDEF {
				*info = elf.ST_INFO(elf.STB_GLOBAL, elf.ST_TYPE(*info))
			}
		}
	}
	return ebpf.LoadCollectionSpecFromReader(bytes.NewReader(data))
}

func dropped(coll *ebpf.Collection) uint64 {
	var n uint64
	if err := coll.Maps["produced"].Lookup(uint32(1), &n); err != nil {
		fmt.Fprintln(os.Stderr, "cilium_bench: produced[1]:", err)
		os.Exit(1)
	}
	return n
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

// testRunAttr is union bpf_attr's test member (BPF_PROG_TEST_RUN) up to batch_size.
type testRunAttr struct {
	progFd, retval, dataSizeIn, dataSizeOut uint32
	dataIn, dataOut                         uint64
	repeat, duration, ctxSizeIn, ctxSizeOut uint32
	ctxIn, ctxOut                           uint64
	flags, cpu, batchSize                   uint32
	_                                       uint32
}

// testRun runs prog once through BPF_PROG_TEST_RUN with ctx as its context, as the C side's
// bpf_prog_test_run_opts does. Not prog.Run: cilium/ebpf v0.11 always passes repeat=1, which the
// kernel rejects (EINVAL) for BPF_PROG_TYPE_SYSCALL and raw tracepoint programs; later releases
// leave it 0 for those types.
func testRun(prog *ebpf.Program, ctx []byte) error {
	attr := testRunAttr{progFd: uint32(prog.FD()), ctxSizeIn: uint32(len(ctx)),
		ctxIn: uint64(uintptr(unsafe.Pointer(&ctx[0])))}
	_, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_TEST_RUN, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(ctx)
	if errno != 0 {
		return fmt.Errorf("BPF_PROG_TEST_RUN: %w", errno)
	}
	return nil
}

// u32 and u64 are the producers' contexts: struct produce_args { __u32 count; } and the raw
// tracepoint's args[0].
func u32(n uint32) []byte { b := make([]byte, 4); *(*uint32)(unsafe.Pointer(&b[0])) = n; return b }
func u64(n uint64) []byte { b := make([]byte, 8); *(*uint64)(unsafe.Pointer(&b[0])) = n; return b }

// produce runs prog with context ctx in a loop on its own OS thread until deadline, then counts itself out of running.
func produce(prog *ebpf.Program, ctx []byte, deadline time.Time, running *atomic.Int32, failed chan<- error) {
	runtime.LockOSThread()
	defer running.Add(-1)
	for time.Now().Before(deadline) {
		if err := testRun(prog, ctx); err != nil {
			select {
			case failed <- err:
			default:
			}
			return
		}
	}
}

// drainAll reads until the reader reports the ring empty (its deadline, set in the past, passed).
func drainAll(read func() error) (uint64, error) {
	var n uint64
	for {
		err := read()
		if err == nil {
			n++
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return n, nil
		}
		return n, err
	}
}

// drainCycles fills the buffer (run) and times reading it empty: warmup uncounted cycles, then
// secs of cycles; returns the records read and the time spent reading.
func drainCycles(warmup int, secs time.Duration, run func() error, read func() error) (uint64, time.Duration, error) {
	for i := 0; i < warmup; i++ {
		if err := run(); err != nil {
			return 0, 0, err
		}
		if _, err := drainAll(read); err != nil {
			return 0, 0, err
		}
	}
	var consumed uint64
	var busy time.Duration
	var before, after runtime.MemStats
	drainAllocated = 0
	for end := time.Now().Add(secs); time.Now().Before(end); {
		if err := run(); err != nil {
			return 0, 0, err
		}
		runtime.ReadMemStats(&before)
		t := time.Now()
		n, err := drainAll(read)
		busy += time.Since(t)
		runtime.ReadMemStats(&after)
		drainAllocated += after.TotalAlloc - before.TotalAlloc
		if err != nil {
			return 0, 0, err
		}
		consumed += n
	}
	return consumed, busy, nil
}

// drainAllocated: bytes the drains of the last drainCycles allocated (the Go heap's TotalAlloc,
// read around each drain, outside its timing).
var drainAllocated uint64

// allocPerRecord formats drainAllocated per record for the result line.
func allocPerRecord(records uint64) string {
	if records == 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(drainAllocated)/float64(records), 'f', 3, 64)
}

// live reads while the producer runs, until it has stopped and the buffer is empty.
func live(prog *ebpf.Program, ctx []byte, secs time.Duration, setDeadline func(time.Time), read func() error) (uint64, time.Duration, time.Duration, error) {
	var running atomic.Int32
	running.Store(int32(producers))
	failed := make(chan error, 1)
	start := time.Now()
	cpuStart := threadCPU()
	for i := 0; i < producers; i++ {
		go produce(prog, ctx, start.Add(secs), &running, failed)
	}
	var consumed uint64
	for {
		done := running.Load() == 0 // read before the reads: records before it are in the buffer
		setDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := drainAll(read) // returns once the buffer was found empty (or 100 ms with none)
		consumed += n
		if err != nil {
			return 0, 0, 0, err
		}
		select {
		case err := <-failed:
			return 0, 0, 0, err
		default:
		}
		if done {
			break
		}
	}
	return consumed, time.Since(start), threadCPU() - cpuStart, nil
}

func ringbufBench(mode, obj, size string, secs time.Duration, drain bool) error {
	coll, prog, err := load(obj, size, ebpf.Syscall)
	if err != nil {
		return err
	}
	defer coll.Close()
	rd, err := ringbuf.NewReader(coll.Maps["records"])
	if err != nil {
		return err
	}
	defer rd.Close()
	var rec ringbuf.Record
	read := func() error { return rd.ReadInto(&rec) }
	if mode == "read" {
		read = func() error {
			r, err := rd.Read()
			rec = r // a new Record (and a new byte slice) each time, kept as a caller would
			return err
		}
	}
	sz, _ := strconv.Atoi(size)
	if drain {
		// as ringbuf_consumer.c: a record takes its size rounded up to 8 plus an 8-byte header; 1/16 spare
		fill := u32(uint32((64 << 20) / 16 * 15 / ((sz+7)/8*8 + 8)))
		rd.SetDeadline(time.Unix(1, 0)) // in the past: a read of an empty ring returns at once
		run := func() error { return testRun(prog, fill) }
		consumed, busy, err := drainCycles(ringbufWarmupCycles, secs, run, read)
		if err != nil {
			return err
		}
		fmt.Printf("consumer=go-%s mode=drain size=%s records=%d seconds=%.3f rate=%.0f dropped=%d alloc_per_record=%s\n", mode, size,
			consumed, busy.Seconds(), float64(consumed)/busy.Seconds(), dropped(coll), allocPerRecord(consumed))
		return nil
	}
	consumed, elapsed, cpu, err := live(prog, u32(100000), secs, rd.SetDeadline, read)
	if err != nil {
		return err
	}
	cpuPer := 0.0
	if consumed > 0 {
		cpuPer = float64(cpu.Nanoseconds()) / float64(consumed)
	}
	fmt.Printf("consumer=go-%s size=%s producers=%d records=%d seconds=%.3f rate=%.0f dropped=%d cpu_ns_per_record=%.1f\n", mode, size, producers,
		consumed, elapsed.Seconds(), float64(consumed)/elapsed.Seconds(), dropped(coll), cpuPer)
	return nil
}

func perfBench(obj, size string, secs time.Duration, drain bool) error {
	coll, prog, err := load(obj, size, ebpf.RawTracepoint)
	if err != nil {
		return err
	}
	defer coll.Close()
	sz, _ := strconv.Atoi(size)
	// as perf_consumer.c: size + 4-byte size + 8-byte header, rounded up to 8; 3/4 of one
	// CPU's buffer, at most 50,000 samples
	fill := uint64(perfPagesPerCPU * 4096 / 4 * 3 / ((sz + 4 + 8 + 7) / 8 * 8))
	if fill > 50000 {
		fill = 50000
	}
	var opts perf.ReaderOptions
	if drain {
		// no wake-up per sample (perf_consumer.c and Bench.java set wakeup_events to 1,000,000):
		// v0.11 has only a watermark, so a ring wakes the reader at half a fill (twice per fill at
		// most) and the reader then reads that ring empty
		opts.Watermark = int(fill) * ((sz + 4 + 8 + 7) / 8 * 8) / 2
	}
	rd, err := perf.NewReaderWithOptions(coll.Maps["samples"], perfPagesPerCPU*os.Getpagesize(), opts)
	if err != nil {
		return err
	}
	defer rd.Close()
	var rec perf.Record
	var lost uint64
	read := func() error {
		for {
			if err := rd.ReadInto(&rec); err != nil {
				return err
			}
			if rec.LostSamples == 0 {
				return nil
			}
			lost += rec.LostSamples
		}
	}
	if drain {
		rd.SetDeadline(time.Unix(1, 0))
		run := func() error { return testRun(prog, u64(fill)) }
		consumed, busy, err := drainCycles(perfWarmupCycles, secs, run, read)
		if err != nil {
			return err
		}
		fmt.Printf("consumer=go mode=drain size=%s records=%d seconds=%.3f rate=%.0f dropped=%d lost=%d alloc_per_record=%s\n", size,
			consumed, busy.Seconds(), float64(consumed)/busy.Seconds(), dropped(coll), lost, allocPerRecord(consumed))
		return nil
	}
	consumed, elapsed, _, err := live(prog, u64(100000), secs, rd.SetDeadline, read)
	if err != nil {
		return err
	}
	fmt.Printf("consumer=go size=%s records=%d seconds=%.3f rate=%.0f dropped=%d lost=%d\n", size, consumed,
		elapsed.Seconds(), float64(consumed)/elapsed.Seconds(), dropped(coll), lost)
	return nil
}

func mapDump(pin, how string) error {
	m, err := ebpf.LoadPinnedMap(pin, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	var total, sum uint64
	start := time.Now()
	if how == "batch" {
		keys := make([]uint32, chunk)
		values := make([]uint64, chunk)
		var prev, next uint32
		var prevKey any // nil: from the start
		for {
			n, err := m.BatchLookup(prevKey, &next, keys, values, nil)
			for _, v := range values[:n] {
				sum += v
			}
			total += uint64(n)
			if errors.Is(err, ebpf.ErrKeyNotExist) {
				break // that was the last chunk
			}
			if err != nil {
				return err
			}
			prev, prevKey = next, &prev
		}
	} else {
		var k uint32
		var v uint64
		it := m.Iterate()
		for it.Next(&k, &v) {
			sum += v
			total++
		}
		if err := it.Err(); err != nil {
			return err
		}
	}
	fmt.Printf("op=dump tool=go-%s entries=%d seconds=%.4f sum=%d\n", how, total, time.Since(start).Seconds(), sum)
	return nil
}
