/* kernel/arch/per_cpu.h for the hosted build: one thread, one area, and no GS base to
   point at it (this_cpu() returns it directly). */
#include "arch/per_cpu.h"

struct per_cpu per_cpu_areas[PER_CPU_MAX] = { { .self = &per_cpu_areas[0] } };

struct per_cpu *per_cpu_repair(void)
{
	per_cpu_areas[0].gs_base_repairs++;
	return &per_cpu_areas[0];
}
