// The C libbpf side of the ring buffer benchmark: loads bench_ringbuf.bpf.o, runs produce_SIZE
// through BPF_PROG_TEST_RUN in a producer thread for SECONDS, consumes with ring_buffer__poll
// in the main thread until the producer has stopped and the ring is empty, and prints one line:
// records consumed per second (from start to empty ring) and records dropped. The producer, not
// the consumer, watches the clock: ring_buffer__poll only returns once the ring is empty, which
// never happens while a faster producer keeps it filled. bench/src/.../Bench.java does the same.
// Usage: ringbuf_consumer OBJ SIZE SECONDS
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_bool stopped;
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
	atomic_store(&stopped, true);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJ SIZE SECONDS\n", argv[0]);
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

	pthread_t thread;
	double start = now();
	producer.deadline = start + seconds;
	pthread_create(&thread, NULL, produce, &producer);
	for (;;) {
		bool done = atomic_load(&stopped); /* read before the poll: records before it are in the ring */
		int n = ring_buffer__poll(rb, 100);
		if (n < 0) {
			perror("ring_buffer__poll");
			return 1;
		}
		if (done && n == 0)
			break;
	}
	double elapsed = now() - start;
	pthread_join(thread, NULL);

	__u32 slot = 1;
	__u64 dropped = 0;
	bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "produced")), &slot, &dropped);
	printf("consumer=c size=%s records=%llu seconds=%.3f rate=%.0f dropped=%llu\n", argv[2], consumed,
	       elapsed, consumed / elapsed, (unsigned long long)dropped);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
