/* Kernel FPU use in system calls: creating files on ext4 with metadata_csum makes
   the kernel compute crc32c with kernel_fpu_begin (docs/tracing.md); AVX work
   between the calls. DIR must be such a file system.
   usage: kfpu_syscalls DIR [COUNT] [CPU] */
#include "workload.h"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	unsigned count;

	if (argc < 2) {
		fprintf(stderr, "usage: kfpu_syscalls DIR [COUNT] [CPU]\n");
		return 2;
	}
	count = number_or(argc, argv, 2, 200);
	pin_to((int)number_or(argc, argv, 3, 1));
	for (unsigned i = 0; i < count; i++) {
		int fd;
		avx_work(8);
		snprintf(path, sizeof path, "%s/file-%u", argv[1], i);
		fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
		if (fd < 0) {
			perror(path);
			return 2;
		}
		close(fd);
		unlink(path);
	}
	return 0;
}
