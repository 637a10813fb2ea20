/* Loads a BPF object file, attaches each of its programs (libbpf's attach by section name), prints "on" and holds
 * them until killed. usage: attach OBJECT.bpf.o */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;

	if (argc != 2) {
		fprintf(stderr, "usage: attach OBJECT.bpf.o\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "attach: %s: cannot load\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__attach(p)) {
			fprintf(stderr, "attach: %s: cannot attach %s\n", argv[1], bpf_program__name(p));
			return 1;
		}
	}
	printf("on\n");
	fflush(stdout);
	for (;;)
		pause();
}
