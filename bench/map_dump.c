// The C libbpf side of the map benchmark, on a hash map of u32 key i -> u64 value i * 3
// (Bench.java map-update builds the same).
//   map_dump create PIN N   creates the map, fills it with one bpf_map_update_batch (timed), pins it
//   map_dump dump PIN       reads every entry with bpf_map_lookup_batch, 4096 per call (timed),
//                           as jbpf's batch().forEach does
// Each prints one line: op=... tool=c-batch entries=N seconds=S
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 4096

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int create(const char *pin, unsigned int entries)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_dump", 4, 8, entries, NULL);
	if (fd < 0) {
		perror("bpf_map_create");
		return 1;
	}
	__u32 *keys = malloc(entries * sizeof(*keys));
	__u64 *values = malloc(entries * sizeof(*values));
	for (unsigned int i = 0; i < entries; i++) {
		keys[i] = i;
		values[i] = i * 3ULL;
	}
	__u32 count = entries;
	double start = now();
	if (bpf_map_update_batch(fd, keys, values, &count, NULL)) {
		perror("bpf_map_update_batch");
		return 1;
	}
	double elapsed = now() - start;
	if (bpf_obj_pin(fd, pin)) {
		perror("bpf_obj_pin");
		return 1;
	}
	printf("op=update tool=c-batch entries=%u seconds=%.4f\n", count, elapsed);
	return 0;
}

static int dump(const char *pin)
{
	int fd = bpf_obj_get(pin);
	if (fd < 0) {
		perror("bpf_obj_get");
		return 1;
	}
	__u32 keys[CHUNK];
	__u64 values[CHUNK];
	__u32 batch;
	unsigned long long total = 0, sum = 0;
	double start = now();
	for (int first = 1;; first = 0) {
		__u32 count = CHUNK;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, values, &count, NULL);
		if (err && errno != ENOENT) {
			perror("bpf_map_lookup_batch");
			return 1;
		}
		for (__u32 i = 0; i < count; i++)
			sum += values[i];
		total += count;
		if (err)
			break; /* ENOENT: that was the last chunk */
	}
	double elapsed = now() - start;
	printf("op=dump tool=c-batch entries=%llu seconds=%.4f sum=%llu\n", total, elapsed, sum);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "create"))
		return create(argv[2], strtoul(argv[3], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return dump(argv[2]);
	fprintf(stderr, "usage: %s create PIN N | dump PIN\n", argv[0]);
	return 2;
}
