// The C libbpf side of the perf buffer benchmark (bench_perf.bpf.o), as ringbuf_consumer.c is for
// the ring buffer: a producer thread runs produce_SIZE through BPF_PROG_TEST_RUN (100,000 samples
// per run) for SECONDS while the main thread polls with perf_buffer__poll until the producer has
// stopped and the buffers are empty; or, with "drain", fills the buffer of the CPU it runs on and
// times perf_buffer__consume emptying it. Prints records consumed per second and samples lost.
// Usage: perf_consumer OBJ SIZE SECONDS [drain]
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGES_PER_CPU 1024 /* 4 MiB per CPU */

static atomic_bool stopped;
/* samples of a CPU per wake-up in drain mode (the same in Bench.java and bench/go) */
#define DRAIN_WAKEUP_EVENTS 1000000

/* uncounted fill-and-drain cycles before a drain measurement (the same number in Bench.java):
 * more than the ring buffer's 3, because a cycle here is only 50,000 samples */
#define WARMUP_CYCLES 10

static unsigned long long consumed, lost;

struct producer {
	int prog_fd;
	unsigned int batch;
	double deadline;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	consumed++;
}

static void on_lost(void *ctx, int cpu, __u64 count)
{
	lost += count;
}

static int run(int prog_fd, unsigned int count)
{
	__u64 args[1] = { count };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	return bpf_prog_test_run_opts(prog_fd, &opts);
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	while (now() < p->deadline) {
		if (run(p->prog_fd, p->batch)) {
			perror("bpf_prog_test_run_opts");
			exit(1);
		}
	}
	atomic_store(&stopped, true);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "drain"))) {
		fprintf(stderr, "usage: %s OBJ SIZE SECONDS [drain]\n", argv[0]);
		return 2;
	}
	char prog_name[32];
	snprintf(prog_name, sizeof(prog_name), "produce_%s", argv[2]);
	unsigned int size = atoi(argv[2]);
	double seconds = atof(argv[3]);

	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("open");
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), prog_name) == 0);
	if (bpf_object__load(obj)) {
		perror("load");
		return 1;
	}
	int prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, prog_name));
	/* drain: no reader waits, so no wake-ups (perf's wakeup_events, libbpf's sample_period: the
	 * producer otherwise pays an irq_work per sample); live: libbpf's default, one per sample */
	LIBBPF_OPTS(perf_buffer_opts, pb_opts, .sample_period = argc == 5 ? DRAIN_WAKEUP_EVENTS : 1);
	struct perf_buffer *pb = perf_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "samples")),
						  PAGES_PER_CPU, on_sample, on_lost, NULL, &pb_opts);
	if (!pb) {
		perror("perf_buffer__new");
		return 1;
	}
	__u32 slot = 1;
	__u64 dropped = 0;
	int produced_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "produced"));

	if (argc == 5) {
		/* a sample takes its size plus a 4-byte size and an 8-byte header, rounded up to 8;
		 * fill up to 3/4 of one CPU's buffer, so none is lost, and at most 50,000 samples: the
		 * producer is slow (~100,000 samples/s: every sample wakes the buffer's readers) */
		unsigned int fill = PAGES_PER_CPU * 4096 / 4 * 3 / ((size + 4 + 8 + 7) / 8 * 8);
		if (fill > 50000)
			fill = 50000;
		/* warm-up: a few uncounted fill-and-drain cycles, as the jbpf side does for its JIT */
		for (int i = 0; i < WARMUP_CYCLES; i++) {
			if (run(prog_fd, fill) || perf_buffer__consume(pb) < 0) {
				perror("warm-up");
				return 1;
			}
		}
		consumed = 0;
		double busy = 0, end = now() + seconds;
		while (now() < end) {
			if (run(prog_fd, fill)) {
				perror("bpf_prog_test_run_opts");
				return 1;
			}
			double t = now();
			if (perf_buffer__consume(pb) < 0) {
				perror("perf_buffer__consume");
				return 1;
			}
			busy += now() - t;
		}
		bpf_map_lookup_elem(produced_fd, &slot, &dropped);
		printf("consumer=c mode=drain size=%s records=%llu seconds=%.3f rate=%.0f dropped=%llu lost=%llu\n",
		       argv[2], consumed, busy, consumed / busy, (unsigned long long)dropped, lost);
		return 0;
	}

	struct producer producer = { .prog_fd = prog_fd, .batch = 100000 };
	pthread_t thread;
	double start = now();
	producer.deadline = start + seconds;
	pthread_create(&thread, NULL, produce, &producer);
	for (;;) {
		bool done = atomic_load(&stopped);
		int n = perf_buffer__poll(pb, 100);
		if (n < 0) {
			perror("perf_buffer__poll");
			return 1;
		}
		if (done && n == 0)
			break;
	}
	double elapsed = now() - start;
	pthread_join(thread, NULL);
	bpf_map_lookup_elem(produced_fd, &slot, &dropped);
	printf("consumer=c size=%s records=%llu seconds=%.3f rate=%.0f dropped=%llu lost=%llu\n", argv[2], consumed,
	       elapsed, consumed / elapsed, (unsigned long long)dropped, lost);
	perf_buffer__free(pb);
	bpf_object__close(obj);
	return 0;
}
