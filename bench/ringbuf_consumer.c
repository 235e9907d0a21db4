// The C libbpf side of the ring buffer benchmark: loads bench_ringbuf.bpf.o, runs produce_SIZE
// through BPF_PROG_TEST_RUN in a producer thread for SECONDS, consumes with ring_buffer__poll
// in the main thread until the producer has stopped and the ring is empty, and prints one line:
// records consumed per second (from start to empty ring) and records dropped, and the consumer thread's CPU time per record (which, unlike the rate, does
// not depend on how much CPU the producer got). The producer, not
// the consumer, watches the clock: ring_buffer__poll only returns once the ring is empty, which
// never happens while a faster producer keeps it filled. bench/src/.../Bench.java does the same.
// With a 4th argument "drain" it measures the consumer alone instead: it fills the ring with
// produce_SIZE (as many records as fit, so none are dropped), then times ring_buffer__consume
// emptying it, for SECONDS of such cycles after 3 uncounted ones; rate = records consumed / time
// spent consuming.
// With "producers=N" instead, N producer threads (the scheduler places them on the CPUs) write
// into the one ring while the main thread consumes: the scaling rows of make bench.
// Usage: ringbuf_consumer OBJ SIZE SECONDS [drain | producers=N]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* uncounted fill-and-drain cycles before a drain measurement (the same number in Bench.java) */
#define WARMUP_CYCLES 3

static atomic_int running; /* producer threads not yet past their deadline */
static unsigned long long consumed;

struct producer {
	int prog_fd;
	unsigned int batch;
	double deadline;
};

static double now(void);

static int on_record(void *ctx, void *data, size_t size)
{
	consumed++;
	return 0;
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct { unsigned int count; } args = { p->batch };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	while (now() < p->deadline) {
		if (bpf_prog_test_run_opts(p->prog_fd, &opts)) {
			perror("bpf_prog_test_run_opts");
			exit(1);
		}
	}
	atomic_fetch_sub(&running, 1);
	return NULL;
}

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

int main(int argc, char **argv)
{
	int producers = 1;
	bool drain = argc == 5 && !strcmp(argv[4], "drain");
	if (argc == 5 && !strncmp(argv[4], "producers=", 10))
		producers = atoi(argv[4] + 10);
	if ((argc != 4 && argc != 5) || (argc == 5 && !drain && (producers < 1 || producers > 64))) {
		fprintf(stderr, "usage: %s OBJ SIZE SECONDS [drain | producers=N]\n", argv[0]);
		return 2;
	}
	char prog_name[32];
	snprintf(prog_name, sizeof(prog_name), "produce_%s", argv[2]);
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
	struct producer producer = {
		.prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, prog_name)),
		.batch = 100000,
	};
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "records")),
						  on_record, NULL, NULL);
	if (!rb) {
		perror("ring_buffer__new");
		return 1;
	}

	if (drain) {
		/* a record takes its size rounded up to 8 plus an 8-byte header; leave 1/16 spare */
		unsigned int size = atoi(argv[2]);
		struct { unsigned int count; } args = { (64u << 20) / 16 * 15 / ((size + 7) / 8 * 8 + 8) };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
		/* warm-up: a few uncounted fill-and-drain cycles, as the jbpf side does for its JIT */
		for (int i = 0; i < WARMUP_CYCLES; i++) {
			if (bpf_prog_test_run_opts(producer.prog_fd, &opts) || ring_buffer__consume(rb) < 0) {
				perror("warm-up");
				return 1;
			}
		}
		consumed = 0;
		double busy = 0, end = now() + seconds;
		while (now() < end) {
			if (bpf_prog_test_run_opts(producer.prog_fd, &opts)) {
				perror("bpf_prog_test_run_opts");
				return 1;
			}
			double t = now();
			if (ring_buffer__consume(rb) < 0) {
				perror("ring_buffer__consume");
				return 1;
			}
			busy += now() - t;
		}
		__u32 slot = 1;
		__u64 dropped = 0;
		bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "produced")), &slot, &dropped);
		printf("consumer=c mode=drain size=%s records=%llu seconds=%.3f rate=%.0f dropped=%llu\n", argv[2], consumed,
		       busy, consumed / busy, (unsigned long long)dropped);
		return 0;
	}

	pthread_t threads[64];
	double start = now();
	double cpu_start = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	producer.deadline = start + seconds;
	atomic_store(&running, producers);
	for (int i = 0; i < producers; i++)
		pthread_create(&threads[i], NULL, produce, &producer);
	for (;;) {
		bool done = atomic_load(&running) == 0; /* read before the poll: records before it are in the ring */
		int n = ring_buffer__poll(rb, 100);
		if (n < 0) {
			perror("ring_buffer__poll");
			return 1;
		}
		if (done && n == 0)
			break;
	}
	double elapsed = now() - start;
	double cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
	for (int i = 0; i < producers; i++)
		pthread_join(threads[i], NULL);

	__u32 slot = 1;
	__u64 dropped = 0;
	bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "produced")), &slot, &dropped);
	printf("consumer=c size=%s producers=%d records=%llu seconds=%.3f rate=%.0f dropped=%llu cpu_ns_per_record=%.1f\n",
	       argv[2], producers, consumed, elapsed, consumed / elapsed, (unsigned long long)dropped,
	       consumed ? cpu * 1e9 / consumed : 0);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
