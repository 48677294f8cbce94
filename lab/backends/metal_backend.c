/* The bare-metal backend (the kernel): real XSAVE, XSAVEOPT or XSAVEC and XRSTOR through
   lab/backends/xsave_fpu.c, and the real CR0.TS: set_ts/clear_ts write CR0, and the
   workload's STMXCSR raises a real #NM through the IDT when TS is set. The #NM comes
   back through the safe wrapper's fixup as vector 7 (trap_set_nm_clears_ts stays off,
   so the trap handler does not clear TS behind the policy's back), and the engine hands
   it to the policy exactly as it does the simulated backend's #NM.
   Where VMX or SVM works (kernel/vm/vm.h), the guest tasks' FP instructions run in a
   real guest: one vCPU per test and real CPU whose guest loops "wait at a hypercall;
   STMXCSR, XSAVE, XRSTOR". VM entry and exit leave the registers alone (fpulab's vCPU has no FPU
   swap), so the guest sees what the lab's hypervisor policy left there. The guest's
   CR0.TS is the lab's TS; its #NM is an exception exit, returned to the engine as the
   guest's first-use trap. The entry and exit events themselves and the guest kernel's
   saves and restores stay simulated; the record says which ("vm").
   Where the CPU has XFD for usable tile state, IA32_XFD and IA32_XFD_ERR are the real
   MSRs and the AMX components real registers: an armed TILEDATA raises the real #NM
   with XFD_ERR, on the host or in the guest (docs/lab.md, "Real XFD").
   With a second CPU (kernel/smp/smp.h), scenario CPU 1's operations run on it through
   smp_call: its own registers, its own CR0.TS and #NM. */
#include "lab/backends/platform.h"
#include "lab/backends/xsave_fpu.h"
#include "support/amx.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "arch/per_cpu.h"
#include "arch/safe.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "console.h"
#include "lib/format.h"
#include "lib/string.h"
#include "smp/smp.h"
#include "lib/kernel_args.h"
#include "test_runner.h"
#include "vm/vm.h"
#include "vm/vm_guest.h"

#define GUEST_TIME_LIMIT_MILLISECONDS 2000
#define GUEST_EXITS_PER_STEP 64
#define SECOND_CPU_CALL_MILLISECONDS 5000   /* above the guest time limit */

static int metal_ts(void)
{
	return (read_cr0() & CR0_TS) != 0;
}

static int metal_set_ts(int on)
{
	uint64_t cr0 = read_cr0();
	return write_cr0_safe(on ? cr0 | CR0_TS : cr0 & ~CR0_TS);
}

static int metal_write_xfd(uint64_t value) { return wrmsr_safe(MSR_IA32_XFD, value); }
static int metal_read_xfd(uint64_t *value) { return rdmsr_safe(MSR_IA32_XFD, value); }
static int metal_write_xfd_err(uint64_t value) { return wrmsr_safe(MSR_IA32_XFD_ERR, value); }
static int metal_read_xfd_err(uint64_t *value) { return rdmsr_safe(MSR_IA32_XFD_ERR, value); }

/* Why IA32_XFD cannot be the lab's real XFD here, or NULL: it needs XFD for TILEDATA
   and tile state that XSAVE gives back (the lab's AMX components become real). */
static const char *real_xfd_missing(void)
{
	const struct cpu_features *cpu = cpu_features();

	if (!cpu->has.xfd)
		return "this CPU has no XFD (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)";
	if (!cpu->components[XSTATE_TILEDATA].xfd)
		return "XFD cannot arm TILEDATA here (CPUID.(EAX=0DH,ECX=18):ECX[2]=0)";
	if (amx_missing())
		return amx_missing();
	if ((xsave_user_mask() & AMX_COMPONENTS) != AMX_COMPONENTS)
		return xsave_amx_defect() ? xsave_amx_defect() : "the tile state is not usable here";
	return 0;
}

static struct lab_xsave_fpu metal_fpu = {
	.name = "metal",
	.ts_mode = "cr0",
	.xfd_mode = "simulated",
	.vm_mode = "simulated",
	.hw_ts = metal_ts,
	.hw_set_ts = metal_set_ts,
};

/* ---- the second CPU ---- */

static void print_dump_as_comments(const char *dump)
{
	while (*dump) {
		const char *end = dump;
		while (*end && *end != '\n')
			end++;
		kprintf("# %.*s\n", (int)(end - dump), dump);
		dump = *end ? end + 1 : end;
	}
}

static int metal_on_second_cpu(struct lab_xsave_fpu *f, void (*function)(void *), void *argument)
{
	enum smp_call_status status = smp_call(function, argument, SECOND_CPU_CALL_MILLISECONDS);

	if (status == SMP_CALL_DONE)
		return 0;
	if (f->problem[0])
		return -1;
	if (status == SMP_CALL_FAULT) {
		format_string(f->problem, sizeof f->problem, "metal backend: %s", smp_fault_reason());
		print_dump_as_comments(smp_fault_dump());
	} else if (status == SMP_CALL_TIMEOUT) {
		format_string(f->problem, sizeof f->problem,
			      "metal backend: the second CPU did not return within %u ms", SECOND_CPU_CALL_MILLISECONDS);
	} else {
		format_string(f->problem, sizeof f->problem, "metal backend: %s", smp_unavailable());
	}
	return -1;
}

/* ---- the real guests: one per real CPU ---- */

struct lab_guest_block {
	uint64_t mask;
	uint8_t *scratch, *pattern;
	int save_vector, restore_vector;
	uint32_t mxcsr;
	uint64_t done;
};

/* A CPU's guest: its vCPU is created, entered and destroyed on that CPU only. */
struct lab_guest {
	struct lab_guest_block block;
	struct vm_vcpu vcpu;
	struct vm_exit exit;
	int enabled, created, parked;
	char reason[VM_REASON_SIZE];   /* why it did not start */
	int started;                   /* 0: it did not */
};

static struct lab_guest guests[SMP_MAX_CPUS];
static const struct vm_ops *guest_ops;

/* The guest: a guest task's FP instructions, one workload step per hypercall. */
static void lab_guest(void *argument)
{
	struct lab_guest_block *block = argument;

	for (;;) {
		vm_guest_hypercall(VM_HYPERCALL_PING, block->done);
		stmxcsr_safe(&block->mxcsr);     /* an #NM exit while the guest's CR0.TS is set */
		block->save_vector = xsave_safe(block->scratch, block->mask);
		block->restore_vector = xrstor_safe(block->pattern, block->mask);
		block->done++;
	}
}

static void guest_problem(struct lab_xsave_fpu *f, const char *what)
{
	if (!f->problem[0])
		format_string(f->problem, sizeof f->problem, "metal guest: %s", what);
}

/* Runs the guest until it waits at its hypercall (0) or takes #NM (1); -1: a problem. */
static int guest_until_ping(struct lab_xsave_fpu *f, struct lab_guest *g)
{
	for (unsigned i = 0; i < GUEST_EXITS_PER_STEP; i++) {
		vm_time_limit(&g->vcpu, GUEST_TIME_LIMIT_MILLISECONDS);
		vm_run(&g->vcpu, &g->exit);
		if (g->exit.kind == VM_EXIT_HYPERCALL && g->vcpu.regs.rax == VM_HYPERCALL_PING) {
			g->parked = 1;
			return 0;
		}
		if (g->exit.kind == VM_EXIT_EXCEPTION && g->exit.vector == VECTOR_NM)
			return 1;
		if (vm_emulate(&g->vcpu, &g->exit) != 0) {
			guest_problem(f, vm_exit_text(&g->vcpu, &g->exit));
			return -1;
		}
	}
	guest_problem(f, "the guest did not come back to its hypercall");
	return -1;
}

/* Runs on the CPU whose registers are scenario CPU cpu's. */
static int metal_guest_run(struct lab_xsave_fpu *f, unsigned cpu, uint64_t mask)
{
	struct lab_guest *g = &guests[this_cpu()->index];
	int ts = metal_ts(), status;
	uint64_t cr0, before = g->block.done;

	if (!g->started)
		return guest_problem(f, "no guest on this CPU"), -1;
	(void)cpu;
	cr0 = guest_ops->get_cr0(&g->vcpu);
	g->block.mask = mask;
	g->block.scratch = f->scratch;
	g->block.pattern = f->pattern;
	g->block.save_vector = g->block.restore_vector = 0;
	guest_ops->set_cr0(&g->vcpu, ts ? cr0 | CR0_TS : cr0 & ~CR0_TS);
	if (ts)
		metal_set_ts(0);   /* the host's side of entry and exit runs with TS clear */
	if (g->parked) {
		vm_skip_instruction(&g->vcpu, &g->exit);
		g->parked = 0;
	}
	status = guest_until_ping(f, g);
	if (ts)
		metal_set_ts(1);
	if (status == 1 && !ts && f->hw_read_xfd_err) {
		uint64_t xfd_err = 0;
		if (f->hw_read_xfd_err(&xfd_err) == 0 && xfd_err)
			status = 2;
	}
	if (status < 0)
		g->started = 0;   /* not parked at its hypercall: no later step may enter it */
	if (status != 0)
		return status;
	if (g->block.done != before + 1)
		return guest_problem(f, "the guest's workload step did not run"), -1;
	if (g->block.save_vector || g->block.restore_vector)
		return guest_problem(f, g->block.save_vector ? "XSAVE in the guest faulted"
							     : "XRSTOR in the guest faulted"), -1;
	return 0;
}

/* On the guest's CPU. */
static void guest_close_here(void *argument)
{
	struct lab_guest *g = argument;

	if (g->created)
		guest_ops->vcpu_destroy(&g->vcpu);
	if (g->enabled)
		guest_ops->disable();
	g->created = g->enabled = g->parked = g->started = 0;
}

/* On the guest's CPU: a vCPU parked at its first hypercall, or g->reason says why not. */
static void guest_open_here(void *argument)
{
	struct lab_guest *g = argument;

	/* A test aborted inside the guest left these set; the runner turned VMX/SVM off. */
	g->created = g->enabled = g->parked = g->started = 0;
	g->reason[0] = 0;
	memset(&g->block, 0, sizeof g->block);
	if (guest_ops->enable(g->reason))
		return;
	g->enabled = 1;
	if (vm_vcpu_setup(guest_ops, &g->vcpu, lab_guest, &g->block, g->reason))
		return guest_close_here(g);
	g->created = 1;
	metal_fpu.problem[0] = 0;
	if (guest_until_ping(&metal_fpu, g) != 0 || !g->parked) {
		string_copy(g->reason, metal_fpu.problem[0] ? metal_fpu.problem : "the guest did not start",
			    sizeof g->reason);
		metal_fpu.problem[0] = 0;
		return guest_close_here(g);
	}
	g->started = 1;
}

/* The second CPU's guest, when the first one has its own. */
static void second_guest_open(void)
{
	struct lab_guest *g = &guests[1];
	enum smp_call_status status;

	metal_fpu.second_cpu_guest = 0;
	metal_fpu.second_guest_why = 0;
	if (!metal_fpu.run_on_second_cpu)
		return;
	if (runner_args()->lab_guests == LAB_GUESTS_FIRST_CPU) {
		metal_fpu.second_guest_why = "lab_guests=first-cpu";
		return;
	}
	status = smp_call(guest_open_here, g, SECOND_CPU_CALL_MILLISECONDS);
	if (status == SMP_CALL_FAULT)
		string_copy(g->reason, smp_fault_reason(), sizeof g->reason);
	else if (status != SMP_CALL_DONE)
		string_copy(g->reason, status == SMP_CALL_TIMEOUT ? "the second CPU did not return from setting up its guest"
				       : smp_unavailable(), sizeof g->reason);
	if (status == SMP_CALL_DONE && g->started)
		metal_fpu.second_cpu_guest = 1;
	else
		metal_fpu.second_guest_why = g->reason;
}

static void guest_close(void)
{
	if (guests[1].enabled || guests[1].created)
		smp_call(guest_close_here, &guests[1], SECOND_CPU_CALL_MILLISECONDS);
	guest_close_here(&guests[0]);
	metal_fpu.guest_run = 0;
	metal_fpu.second_cpu_guest = 0;
}

static void guest_open(void)
{
	char *reason = guests[0].reason;

	reason[0] = 0;
	guest_ops = vm_ops_select(reason);
	if (!guest_ops || guest_ops->probe(reason)) {
		guests[0].started = 0;
		goto simulated;
	}
	guest_open_here(&guests[0]);
	if (!guests[0].started)
		goto simulated;
	metal_fpu.guest_run = metal_guest_run;
	metal_fpu.vm_hardware = guest_ops->name;
	metal_fpu.vm_why = 0;
	second_guest_open();
	return;
simulated:
	metal_fpu.guest_run = 0;
	metal_fpu.second_cpu_guest = 0;
	metal_fpu.vm_why = reason[0] ? reason : "no VMX or SVM";
}

/* ---- the platform backend ---- */

static int metal_open(struct lab_fpu_backend *backend, char *why, size_t size)
{
	int xfd = !real_xfd_missing();

	metal_fpu.xfd_mode = xfd ? "real" : "simulated";
	metal_fpu.xfd_why = real_xfd_missing();
	metal_fpu.hw_write_xfd = xfd ? metal_write_xfd : 0;
	metal_fpu.hw_read_xfd = xfd ? metal_read_xfd : 0;
	metal_fpu.hw_write_xfd_err = xfd ? metal_write_xfd_err : 0;
	metal_fpu.hw_read_xfd_err = xfd ? metal_read_xfd_err : 0;
	trap_set_nm_clears_ts(0);
	trap_set_nm_handles_xfd(0);   /* the policies handle the XFD #NM, as they do TS's */
	metal_fpu.run_on_second_cpu = smp_unavailable() ? 0 : metal_on_second_cpu;
	metal_fpu.cpus_why = smp_unavailable();
	if (lab_xsave_fpu_open(&metal_fpu, why, size) != 0)
		return -1;
	guest_open();
	lab_xsave_fpu_backend(&metal_fpu, backend);
	return 0;
}

static void metal_close(struct lab_fpu_backend *backend)
{
	(void)backend;
	guest_close();
	if (metal_ts())
		metal_set_ts(0);
}

static const struct lab_platform_backend metal = {
	.name = "metal", .open = metal_open, .close = metal_close, .real_xfd_missing = real_xfd_missing,
};

const struct lab_platform_backend *lab_platform_backend(void)
{
	return &metal;
}
