/* The per-CPU areas and IA32_GS_BASE (SDM Vol. 3A, 3.4.4: in 64-bit mode the GS base
   lives in MSR C000_0101H; only a load of GS, SWAPGS or WRGSBASE change it). */
#include "arch/per_cpu.h"
#include "arch/apic.h"
#include "arch/x86.h"

struct per_cpu per_cpu_areas[PER_CPU_MAX];
static uint64_t firmware_gs_base;

void per_cpu_start(unsigned index)
{
	struct per_cpu *cpu = &per_cpu_areas[index];

	if (index == 0)
		firmware_gs_base = rdmsr(MSR_GS_BASE);
	cpu->self = cpu;
	cpu->index = index;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)cpu);
}

void per_cpu_set_apic_id(uint32_t id)
{
	struct per_cpu *cpu = this_cpu();

	cpu->apic_id = id;
	__atomic_store_n(&cpu->apic_id_known, 1, __ATOMIC_RELEASE);
}

struct per_cpu *per_cpu_of(unsigned index)
{
	return &per_cpu_areas[index < PER_CPU_MAX ? index : 0];
}

/* Only the first CPU runs before the second one's APIC ID is known; after that the
   APIC ID says which CPU this is. */
struct per_cpu *per_cpu_repair(void)
{
	struct per_cpu *cpu = &per_cpu_areas[0];

	if (__atomic_load_n(&per_cpu_areas[1].apic_id_known, __ATOMIC_ACQUIRE) &&
	    apic_id() == per_cpu_areas[1].apic_id)
		cpu = &per_cpu_areas[1];
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)cpu);
	cpu->gs_base_repairs++;
	return cpu;
}

struct per_cpu *per_cpu_check_gs_base(void)
{
	uint64_t base = rdmsr(MSR_GS_BASE);

	for (unsigned i = 0; i < PER_CPU_MAX; i++)
		if (base == (uint64_t)(uintptr_t)&per_cpu_areas[i] && per_cpu_areas[i].self == &per_cpu_areas[i])
			return &per_cpu_areas[i];
	return per_cpu_repair();
}

void per_cpu_restore_firmware(void)
{
	wrmsr(MSR_GS_BASE, firmware_gs_base);
}

void per_cpu_load_own(void)
{
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&per_cpu_areas[0]);
}
