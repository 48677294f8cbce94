/* The per-CPU area (docs/design.md, "Per-CPU area"): one struct per_cpu for each CPU
   fpulab runs on, reached through IA32_GS_BASE, whose first word points at the area
   itself, so this_cpu() is one load (mov rax, gs:[0]). Once per_cpu_start has run,
   nothing in fpulab loads GS or executes SWAPGS; VM exits under VMX load HOST_GS_BASE;
   VMRUN and #VMEXIT leave GS base alone and the guest cannot write it (docs/vm.md).
   The hosted build has one static area (host/hosted_per_cpu.c). */
#ifndef FPULAB_PER_CPU_H
#define FPULAB_PER_CPU_H

#include <stdint.h>

#define PER_CPU_MAX 2               /* the first CPU and at most one more */
#define TRAP_MAX_DEPTH 2            /* a trap inside a trap's handler, no deeper */

struct trap_frame;
struct guarded_call;

struct per_cpu {
	struct per_cpu *self;       /* gs:[0] */
	unsigned index;             /* 0: the first (boot) CPU */
	uint32_t apic_id;
	int apic_id_known;
	uint64_t gs_base_repairs;   /* traps that found GS base not pointing here */

	/* kernel/guarded_call.c: the call a trap on this CPU ends */
	struct guarded_call *current_call;

	/* kernel/arch/trap.c */
	unsigned trap_depth;                     /* handlers running, 0 outside any */
	uint8_t trap_vectors[TRAP_MAX_DEPTH + 1];/* the vector at each depth */
	int nm_clears_ts, nm_handles_xfd;
	int (*nm_hook)(struct trap_frame *frame);/* a test's own #NM handler, 1: handled */
	uint64_t nm_traps_handled, last_xfd_err;
	uint64_t stray_interrupts, stray_nmis;
	/* This CPU's own handling of NMIs and interrupts (vector >= 32), when set
	   (kernel/smp/ for the second CPU); the NMI one returns 1 when it handled it. */
	int (*nmi_hook)(struct trap_frame *frame);
	void (*interrupt_hook)(struct trap_frame *frame);

	/* kernel/vmx/vmx_setup.c: VMX operation and the VMCS accessors' first failure
	   are per logical processor (SDM Vol. 3C, 24.7 and 25.11.1) */
	struct {
		int on;
		uint64_t cr0_before, cr4_before;
		int access_failed;
		uint32_t access_field, access_error;
	} vmx;
	/* kernel/svm/svm_setup.c: EFER.SVME and VM_HSAVE_PA are per logical processor */
	struct {
		int on;
	} svm;
};

extern struct per_cpu per_cpu_areas[PER_CPU_MAX];

#ifdef FPULAB_HOSTED
static inline struct per_cpu *this_cpu(void)
{
	return &per_cpu_areas[0];
}
#else
static inline struct per_cpu *this_cpu(void)
{
	struct per_cpu *cpu;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(cpu));
	return cpu;
}
#endif

/* Which area GS base names when it is not one of ours: found again by APIC ID and
   written back (counted in gs_base_repairs). */
struct per_cpu *per_cpu_repair(void);

/* IA32_GS_BASE itself checked (RDMSR: reading through a broken GS base could fault),
   repaired when it does not point at an area; for the reset after an abort. */
struct per_cpu *per_cpu_check_gs_base(void);

/* this_cpu(), checked to be one of the areas (for the trap path). */
static inline struct per_cpu *this_cpu_checked(void)
{
	struct per_cpu *cpu = this_cpu();

	if (cpu < per_cpu_areas || cpu >= per_cpu_areas + PER_CPU_MAX || cpu->self != cpu)
		cpu = per_cpu_repair();
	return cpu;
}

/* On the CPU that starts: its area gets index and GS base points at it. The firmware's
   GS base is kept (index 0) for per_cpu_restore_firmware. */
void per_cpu_start(unsigned index);
/* Once this CPU's local APIC is on. */
void per_cpu_set_apic_id(uint32_t id);
struct per_cpu *per_cpu_of(unsigned index);
void per_cpu_restore_firmware(void);
/* After a firmware call on the first CPU: GS base names its area again. */
void per_cpu_load_own(void);

#endif
