/* Shared pieces of the trace workloads (docs/tracing.md "Workloads"): pinning, and
   FP work that leaves the AVX registers in use. Linux user programs, built by
   `make host` into build/host/workloads/. */
#ifndef FPULAB_TRACE_WORKLOAD_H
#define FPULAB_TRACE_WORKLOAD_H

#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs the caller on cpu only; exits with a message when it cannot. */
static inline void pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0) {
		perror("sched_setaffinity");
		exit(2);
	}
}

/* A few AVX additions: YMM registers hold non-init values afterwards. */
static inline void avx_work(unsigned rounds)
{
	for (unsigned i = 0; i < rounds; i++)
		__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
				 "vaddps %%ymm0, %%ymm1, %%ymm1\n\t"
				 "vaddps %%ymm1, %%ymm2, %%ymm2" ::: "xmm0", "xmm1", "xmm2");
}

/* The number argument argv[i], or fallback. */
static inline unsigned number_or(int argc, char **argv, int i, unsigned fallback)
{
	return argc > i ? (unsigned)strtoul(argv[i], 0, 10) : fallback;
}

#endif
