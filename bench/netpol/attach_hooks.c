// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach_hooks OBJECT CGROUP LINKS: loads a BPF object, attaches each of its programs to the cgroup v2 folder
 * CGROUP with a link, pins the links as LINKS/<program name> and exits (the pins hold them; removing the folder of
 * pins detaches them). The benchmark's floor control (empty.bpf.o), read by connect_loop like Vigil's pinned links.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	int cg;

	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJECT CGROUP LINKS\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "%s: cannot load: %s\n", argv[1], strerror(errno));
		return 1;
	}
	cg = open(argv[2], O_RDONLY | O_DIRECTORY);
	if (cg < 0 || (mkdir(argv[3], 0700) && errno != EEXIST)) {
		fprintf(stderr, "%s or %s: %s\n", argv[2], argv[3], strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		struct bpf_link *l = bpf_program__attach_cgroup(p, cg);
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", argv[3], bpf_program__name(p));
		if (!l || bpf_link__pin(l, path)) {
			fprintf(stderr, "%s: cannot attach or pin %s: %s\n", bpf_program__name(p), path, strerror(errno));
			return 1;
		}
	}
	return 0; /* the pins keep the links and programs */
}
