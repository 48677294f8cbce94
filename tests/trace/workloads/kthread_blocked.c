/* A task blocked while a kernel thread runs on its CPU: reading
   /proc/sys/vm/stat_refresh runs a kworker on every CPU (schedule_on_each_cpu)
   while the reader waits. AVX work between the reads. Needs root.
   usage: kthread_blocked [ROUNDS] [CPU] */
#include "workload.h"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned rounds = number_or(argc, argv, 1, 100);
	char buffer[16];

	pin_to((int)number_or(argc, argv, 2, 1));
	for (unsigned i = 0; i < rounds; i++) {
		int fd = open("/proc/sys/vm/stat_refresh", O_RDONLY);
		avx_work(8);
		if (fd < 0) {
			perror("/proc/sys/vm/stat_refresh");
			return 2;
		}
		if (read(fd, buffer, sizeof buffer) < 0) {
			perror("read stat_refresh");
			return 2;
		}
		close(fd);
	}
	return 0;
}
