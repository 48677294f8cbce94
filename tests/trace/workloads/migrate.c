/* Migration between two CPUs: COUNT times, pin to the other CPU and do AVX work.
   usage: migrate [COUNT] [CPU-A] [CPU-B] */
#include "workload.h"

int main(int argc, char **argv)
{
	unsigned count = number_or(argc, argv, 1, 400);
	int cpus[2] = { (int)number_or(argc, argv, 2, 0), (int)number_or(argc, argv, 3, 1) };

	for (unsigned i = 0; i < count; i++) {
		pin_to(cpus[i & 1]);
		avx_work(8);
	}
	return 0;
}
