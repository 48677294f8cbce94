/* The bare-metal backend (the kernel): real XSAVE, XSAVEOPT or XSAVEC and XRSTOR through
   lab/backends/xsave_fpu.c, and the real CR0.TS: set_ts/clear_ts write CR0, and the
   workload's STMXCSR raises a real #NM through the IDT when TS is set. The #NM comes
   back through the safe wrapper's fixup as vector 7 (trap_set_nm_clears_ts stays off,
   so the trap handler does not clear TS behind the policy's back), and the engine hands
   it to the policy exactly as it does the simulated backend's #NM.
   Where VMX or SVM works (kernel/vm/vm.h), the guest tasks' FP instructions run in a
   real guest: one vCPU per test whose guest loops "wait at a hypercall; STMXCSR, XSAVE,
   XRSTOR". VM entry and exit leave the registers alone (fpulab's vCPU has no FPU
   swap), so the guest sees what the lab's hypervisor policy left there. The guest's
   CR0.TS is the lab's TS; its #NM is an exception exit, returned to the engine as the
   guest's first-use trap. The entry and exit events themselves, the guest kernel's
   saves and restores and XFD stay simulated; the record says which ("vm").
   With a second CPU (kernel/smp/smp.h), scenario CPU 1's operations run on it through
   smp_call: its own registers, its own CR0.TS and #NM. */
#include "lab/backends/platform.h"
#include "lab/backends/xsave_fpu.h"
#include "cpu_features.h"
#include "arch/safe.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "console.h"
#include "lib/format.h"
#include "lib/string.h"
#include "smp/smp.h"
#include "vm/vm.h"
#include "vm/vm_guest.h"

#define GUEST_TIME_LIMIT_MILLISECONDS 2000
#define GUEST_EXITS_PER_STEP 64
#define SECOND_CPU_CALL_MILLISECONDS 2000

static int metal_ts(void)
{
	return (read_cr0() & CR0_TS) != 0;
}

static int metal_set_ts(int on)
{
	uint64_t cr0 = read_cr0();
	return write_cr0_safe(on ? cr0 | CR0_TS : cr0 & ~CR0_TS);
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

/* ---- the real guest ---- */

struct lab_guest_block {
	uint64_t mask;
	uint8_t *scratch, *pattern;
	int save_vector, restore_vector;
	uint32_t mxcsr;
	uint64_t done;
};

static struct lab_guest_block guest_block;
static struct vm_vcpu guest_vcpu;
static struct vm_exit guest_exit;
static const struct vm_ops *guest_ops;
static int guest_enabled, guest_created, guest_parked;
static char vm_reason[VM_REASON_SIZE];

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
static int guest_until_ping(struct lab_xsave_fpu *f)
{
	for (unsigned i = 0; i < GUEST_EXITS_PER_STEP; i++) {
		vm_time_limit(&guest_vcpu, GUEST_TIME_LIMIT_MILLISECONDS);
		vm_run(&guest_vcpu, &guest_exit);
		if (guest_exit.kind == VM_EXIT_HYPERCALL && guest_vcpu.regs.rax == VM_HYPERCALL_PING) {
			guest_parked = 1;
			return 0;
		}
		if (guest_exit.kind == VM_EXIT_EXCEPTION && guest_exit.vector == VECTOR_NM)
			return 1;
		if (vm_emulate(&guest_vcpu, &guest_exit) != 0) {
			guest_problem(f, guest_exit.description);
			return -1;
		}
	}
	guest_problem(f, "the guest did not come back to its hypercall");
	return -1;
}

static int metal_guest_run(struct lab_xsave_fpu *f, uint64_t mask)
{
	int ts = metal_ts(), status;
	uint64_t cr0 = guest_ops->get_cr0(&guest_vcpu), before = guest_block.done;

	guest_block.mask = mask;
	guest_block.scratch = f->scratch;
	guest_block.pattern = f->pattern;
	guest_block.save_vector = guest_block.restore_vector = 0;
	guest_ops->set_cr0(&guest_vcpu, ts ? cr0 | CR0_TS : cr0 & ~CR0_TS);
	if (ts)
		metal_set_ts(0);   /* the host's side of entry and exit runs with TS clear */
	if (guest_parked) {
		vm_skip_instruction(&guest_vcpu, &guest_exit);
		guest_parked = 0;
	}
	status = guest_until_ping(f);
	if (ts)
		metal_set_ts(1);
	if (status != 0)
		return status;
	if (guest_block.done != before + 1)
		return guest_problem(f, "the guest's workload step did not run"), -1;
	if (guest_block.save_vector || guest_block.restore_vector)
		return guest_problem(f, guest_block.save_vector ? "XSAVE in the guest faulted"
								 : "XRSTOR in the guest faulted"), -1;
	return 0;
}

static void guest_close(void)
{
	if (guest_created)
		guest_ops->vcpu_destroy(&guest_vcpu);
	if (guest_enabled)
		guest_ops->disable();
	guest_created = guest_enabled = guest_parked = 0;
	metal_fpu.guest_run = 0;
}

/* A vCPU parked at its first hypercall, or vm_reason says why not. */
static void guest_open(void)
{
	/* A test aborted inside the guest left these set; the runner turned VMX/SVM off. */
	guest_created = guest_enabled = guest_parked = 0;
	vm_reason[0] = 0;
	memset(&guest_block, 0, sizeof guest_block);
	guest_ops = vm_ops_select(vm_reason);
	if (!guest_ops || guest_ops->probe(vm_reason))
		goto simulated;
	if (guest_ops->enable(vm_reason))
		goto simulated;
	guest_enabled = 1;
	if (vm_vcpu_setup(guest_ops, &guest_vcpu, lab_guest, &guest_block, vm_reason))
		goto simulated;
	guest_created = 1;
	metal_fpu.problem[0] = 0;
	if (guest_until_ping(&metal_fpu) != 0 || !guest_parked) {
		string_copy(vm_reason, metal_fpu.problem[0] ? metal_fpu.problem : "the guest did not start",
			    sizeof vm_reason);
		goto simulated;
	}
	metal_fpu.guest_run = metal_guest_run;
	metal_fpu.vm_hardware = guest_ops->name;
	metal_fpu.vm_why = 0;
	return;
simulated:
	guest_close();
	metal_fpu.vm_why = vm_reason[0] ? vm_reason : "no VMX or SVM";
}

/* ---- the platform backend ---- */

static int metal_open(struct lab_fpu_backend *backend, char *why, size_t size)
{
	metal_fpu.xfd_why = cpu_features()->has.xfd
		? "the CPU has XFD, but the lab's AMX components are simulated: XFD is too"
		: "this CPU has no XFD (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)";
	trap_set_nm_clears_ts(0);
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
	.name = "metal", .open = metal_open, .close = metal_close,
};

const struct lab_platform_backend *lab_platform_backend(void)
{
	return &metal;
}
