// The C libbpf side of the uprobe attach benchmark: loads uprobes.bpf.o, then attaches
// count_uprobe to the entry of FUNC in BINARY N times (bpf_program__attach_uprobe_opts, which
// resolves the symbol each time, as jbpf's Uprobe.entry does), then destroys the N links.
// Prints the time of the attaches and of the detaches.  Usage: uprobe_attach OBJ BINARY FUNC N
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s OBJ BINARY FUNC N\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[4]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("open");
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), "count_uprobe") == 0);
	if (bpf_object__load(obj)) {
		perror("load");
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "count_uprobe");
	struct bpf_link **links = calloc(n, sizeof(*links));
	double start = now();
	for (int i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = argv[3]);
		links[i] = bpf_program__attach_uprobe_opts(prog, -1, argv[2], 0, &opts);
		if (!links[i]) {
			perror("bpf_program__attach_uprobe_opts");
			return 1;
		}
	}
	double attached = now();
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	double detached = now();
	printf("tool=c uprobes=%d attach_seconds=%.4f detach_seconds=%.4f\n", n, attached - start, detached - attached);
	bpf_object__close(obj);
	return 0;
}
