/* A capture becomes a lab scenario (docs/tracing.md "From a capture to a scenario").
   Each scheduler, signal, system-call, fork/exit/exec and KVM event becomes lab events;
   each x86_fpu event is attached, as what Linux did, to the step it belongs to:
   x86_fpu_regs_deactivated right after a sched_switch is the save of the task switched
   out, x86_fpu_regs_activated a restore, x86_fpu_copy_dst fork's copy. What a capture
   cannot show is assumed, and each assumption is declared in the scenario:
   - every user slice uses the FPU (x87, SSE, AVX), or a share of them drawn with a
     seeded generator (trace_convert_options), and the guest does at each entry;
   - a task returned to user space when it was restored, entered a system call, took a
     signal, or was preempted (prev_state R); else it blocked again in the kernel;
   - kernel FPU use: a restore where Linux's owner/last_cpu (as the capture shows them)
     still said the registers were valid, or one without a switch since the task's last
     return, follows kernel_fpu_begin (in the system call, or a softirq);
   - a task seen on a CPU whose last switch went to another was switched in there
     (switches out of idle can be missing);
   - the state before a CPU's first restore and a running task's before its first
     restore or save is not in the capture: those steps are not verifiable. */
#include "trace/convert.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NR_RT_SIGRETURN 15

static struct task *task(struct converter *cv, int32_t t) { return &cv->task[t]; }
static const char *name(struct converter *cv, int32_t t) { return cv->task[t].name; }
static int user(const struct task *t) { return t->kind == LAB_USER || t->kind == LAB_VMM; }

static struct trace_step *step(struct converter *cv, int index)
{
	return index >= 0 ? &cv->out->step[index] : 0;
}

static void unexplained(struct converter *cv, const struct trace_record *r)
{
	if (!cv->out->unexplained++)
		cv->out->first_unexplained = r->line;
}

static void attach_fpu_line(struct trace_step *s, const struct trace_record *r)
{
	if (!s->fpu_line)
		s->fpu_line = r->line;
}

/* The next draw of the user slices' generator (xorshift64*), below 100. */
static unsigned draw_percent(struct converter *cv)
{
	cv->random ^= cv->random >> 12;
	cv->random ^= cv->random << 25;
	cv->random ^= cv->random >> 27;
	return (unsigned)(((cv->random * 0x2545f4914f6cdd1dull) >> 32) % 100);
}

/* "use cpuN": the user slice that starts now uses the FPU (every one by default; with
   a smaller share, each with that chance). */
static void user_slice(struct converter *cv, const struct trace_record *r)
{
	if (cv->options->fpu_use_percent < 100 && draw_percent(cv) >= cv->options->fpu_use_percent)
		return;
	convert_line(cv, CLASS_RETURN, r->line, "use cpu%u", r->cpu);
}

/* The guest's slice at each entry uses the FPU (`guest-fpu every-entry`). */
static void guest_slice(struct converter *cv, const struct trace_record *r)
{
	convert_line(cv, CLASS_RETURN, r->line, "use cpu%u", r->cpu);
}

/* The task returns to user space; a restore Linux did there may follow. */
static int return_user(struct converter *cv, const struct trace_record *r, int32_t t, unsigned class)
{
	struct task *x = task(cv, t);
	int s = convert_line(cv, x->moved ? CLASS_MIGRATION : class, r->line, "return-user cpu%u", r->cpu);

	if (s >= 0 && !cv->cpu[r->cpu].owner_known)
		step(cv, s)->unknown = 1;
	x->mode = MODE_USER;
	x->returned = 1;
	user_slice(cv, r);
	return s;
}

static void vm_entry(struct converter *cv, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);
	int s = convert_line(cv, CLASS_KVM, r->line, "vm-entry cpu%u", r->cpu);

	x->mode = MODE_GUEST;
	x->in_entry = 1;
	x->entry_step = (uint32_t)s;
	if (!x->guest_started) {
		if (x->vcpu)
			convert_line(cv, CLASS_KVM, r->line, "guest-switch cpu%u guest-task%u", r->cpu, x->vcpu);
		else
			convert_line(cv, CLASS_KVM, r->line, "guest-switch cpu%u guest-task", r->cpu);
		x->guest_started = 1;
	}
	guest_slice(cv, r);
}

static void vm_exit(struct converter *cv, const struct trace_record *r, int32_t t, const char *reason)
{
	if (task(cv, t)->mode != MODE_GUEST)
		return;
	convert_line(cv, CLASS_KVM, r->line, "vm-exit cpu%u %s", r->cpu, reason);
	task(cv, t)->mode = MODE_RUNLOOP;
	task(cv, t)->in_entry = 0;
}

/* next runs on cpu from now on. */
static void switch_in(struct converter *cv, const struct trace_record *r, int32_t next, int synthesised)
{
	struct task *x = task(cv, next);
	int kernel = user(x) && x->mode != MODE_RUNLOOP;
	int s = convert_line(cv, CLASS_SWITCH, r->line, "switch cpu%u %s%s", r->cpu, name(cv, next),
			     kernel ? " kernel" : "");

	cv->cpu[r->cpu].current = next;
	if (s < 0)
		return;
	if (synthesised && cv->cpu[r->cpu].switch_prev >= 0)
		step(cv, s)->unknown = 1;   /* a switch the capture lacks: its save is not in it */
	x->returned = 0;
	x->moved = x->last_cpu >= 0 && x->last_cpu != (int16_t)r->cpu;
	x->last_cpu = (int16_t)r->cpu;
	if (kernel)
		x->mode = MODE_KERNEL;
	if (x->kind == LAB_VMM && x->mode == MODE_RUNLOOP)
		vm_entry(cv, r, next);
	cv->cpu[r->cpu].switch_step = (uint32_t)s;
}

/* An event the lab cannot model: counted, never left out silently. */
static void unsupported(struct converter *cv, const struct trace_record *r)
{
	if (!cv->out->unsupported++)
		cv->out->first_unsupported = r->line;
}

/* Kernel FPU use on r's CPU that no event shows, assumed: kfpu-begin/kfpu-end there
   (where: "kthread" in a task's system call, "softirq" over user space); the CPU has
   no owner after it. The kfpu-end step, or -1. */
static int assumed_kernel_fpu(struct converter *cv, const struct trace_record *r, const char *where)
{
	convert_line(cv, CLASS_KERNEL_FPU, r->line, "kfpu-begin cpu%u %s", r->cpu, where);
	int s = convert_line(cv, CLASS_KERNEL_FPU, r->line, "kfpu-end cpu%u", r->cpu);
	cv->cpu[r->cpu].owner = -1;
	cv->out->inferred_kernel_fpu++;
	return s;
}

/* A task back in user space since its switch-in leaves without a save: its
   TIF_NEED_FPU_LOAD was set again, by kernel_fpu_begin (in a system call, or a softirq
   that interrupted it), which no event shows. Assumed, and not verifiable. */
static void unsaved_switch_out(struct converter *cv, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);
	int s;

	if (x->kind == LAB_VMM && x->mode == MODE_GUEST)
		vm_exit(cv, r, t, "intr");
	s = assumed_kernel_fpu(cv, r, "kthread");
	if (x->mode == MODE_USER)
		x->mode = MODE_KERNEL;
	if (s >= 0)
		step(cv, s)->inferred = 1;
}

/* Is the record after a switch on its CPU the save of the task switched out? No
   when there is no such record (i = -1: a switch the capture lacks). */
static int saved_next(struct converter *cv, size_t i)
{
	const struct trace_capture *c = cv->capture;
	if (i >= c->records)
		return 0;
	for (size_t j = i + 1; j < c->records && j < i + 64; j++)
		if (c->record[j].cpu == c->record[i].cpu)
			return c->record[j].type == TRACE_FPU_DEACTIVATED && c->record[j].pid == c->record[i].pid &&
			       c->record[j].number == 1;
	return 0;
}

/* The task switched out of cpu (record i; -1: a switch the capture lacks). A task
   switched in and not seen back in user space since may have blocked again (S, D),
   or called schedule() on its way out of the kernel (R), or been preempted (R+) -- or
   it did return, to registers that were still valid (no event), ran, and came back
   through an interrupt or a fault. Only its save at this switch tells: that return
   is inferred, and the step not verifiable. A vCPU leaves the guest. */
static void switch_out(struct converter *cv, size_t i, const struct trace_record *r, int32_t prev)
{
	struct task *x = task(cv, prev);

	if (user(x) && x->alive && x->mode == MODE_KERNEL && !x->returned && r->type == TRACE_SWITCH &&
	    saved_next(cv, i)) {
		int s = return_user(cv, r, prev, CLASS_RETURN);
		if (s >= 0)
			step(cv, s)->inferred = 1;
		cv->out->inferred_returns++;
	} else if (user(x) && x->alive && x->returned && x->tif_known && r->type == TRACE_SWITCH && !saved_next(cv, i)) {
		unsaved_switch_out(cv, r, prev);
	}
	if (x->kind == LAB_VMM)
		vm_exit(cv, r, prev, "intr");
	x->open = OPEN_NONE;
}

/* Every record: its task is the one running on its CPU; if the capture lacks the
   switch to it, one is assumed. */
static void running(struct converter *cv, const struct trace_record *r, int32_t t)
{
	struct cpu_view *cpu = &cv->cpu[r->cpu];

	if (cpu->current == t)
		return;
	if (cpu->current >= 0)
		switch_out(cv, (size_t)-1, r, cpu->current);
	cpu->switch_prev = cpu->current;
	switch_in(cv, r, t, 1);
	if (cpu->switch_prev < 0)
		task(cv, t)->tif_known = 0;   /* running when the capture started */
}

static void on_switch(struct converter *cv, size_t i, const struct trace_record *r, int32_t prev, int32_t next)
{
	struct task *x = task(cv, prev);
	unsigned returns = cv->out->inferred_returns;

	switch_out(cv, i, r, prev);
	cv->cpu[r->cpu].switch_prev = prev;
	switch_in(cv, r, next, 0);
	if (!x->tif_known && user(x) && x->pid)
		step(cv, (int)cv->cpu[r->cpu].switch_step)->unknown = 1;
	if (user(x) && !x->alive) {   /* the final switch after exit: a softirq's kernel_fpu_begin in the */
		step(cv, (int)cv->cpu[r->cpu].switch_step)->unknown = 1;   /* exit path decides its save */
		step(cv, (int)cv->cpu[r->cpu].switch_step)->class = CLASS_FORK;
	}
	if (returns != cv->out->inferred_returns)
		step(cv, (int)cv->cpu[r->cpu].switch_step)->inferred = 1;   /* its save told the return */
	x->tif_known = 1;   /* switched out: TIF_NEED_FPU_LOAD is set now */
}

/* x86_fpu_regs_deactivated: the save of the task just switched out, or exit's drop. */
static void on_deactivated(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	struct cpu_view *cpu = &cv->cpu[r->cpu];
	const struct trace_record *before = cpu->last_record < i ? &cv->capture->record[cpu->last_record] : 0;

	if (before && before->type == TRACE_SWITCH && cpu->switch_prev == t && r->number == 1) {
		struct trace_step *s = step(cv, (int)cpu->switch_step);
		s->saves++;
		attach_fpu_line(s, r);
		task(cv, t)->fpu_cpu = (int16_t)r->cpu;   /* the save sets last_cpu */
		return;
	}
	if (task(cv, t)->exited || r->number == 0) {   /* fpu__drop: the owner is cleared, nothing saved */
		if (cpu->owner == t)
			cpu->owner = -1;
		return;
	}
	unexplained(cv, r);
}

/* Kernel FPU use the capture does not show, assumed before a restore: in the current
   task's system call, or a softirq that interrupted user space (or the run loop). */
static int kernel_fpu(struct converter *cv, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);
	const char *where = x->mode == MODE_KERNEL ? "kthread" : "softirq";
	int s;

	if (x->kind == LAB_VMM && x->mode == MODE_GUEST)
		vm_exit(cv, r, t, "intr");
	s = assumed_kernel_fpu(cv, r, where);
	if (x->mode == MODE_KERNEL)
		s = return_user(cv, r, t, CLASS_KERNEL_FPU);
	else if (x->mode == MODE_USER)
		user_slice(cv, r);
	if (s >= 0)
		step(cv, s)->inferred = 1;
	return s;
}

/* The next record of the same task on the same CPU, if it comes before long. */
static const struct trace_record *next_of(struct converter *cv, size_t i)
{
	const struct trace_capture *c = cv->capture;
	for (size_t j = i + 1; j < c->records && j < i + 64; j++)
		if (c->record[j].cpu == c->record[i].cpu)
			return cv->record_task[j] == cv->record_task[i] ? &c->record[j] : 0;
	return 0;
}

static int32_t fork_child(struct converter *cv, size_t i)
{
	const struct trace_capture *c = cv->capture;
	for (size_t j = i + 1; j < c->records && j < i + 256; j++)
		if (c->record[j].type == TRACE_FORK && cv->record_task[j] == cv->record_task[i])
			return cv->record_other[j];
	return -1;
}

/* fork: the parent's restore (if it was not loaded) and its copy into the child. */
static int on_fork(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	int32_t child = fork_child(cv, i);
	int s;

	if (child < 0 || !user(task(cv, child)))
		return -1;
	s = convert_line(cv, CLASS_FORK, r->line, "fork cpu%u %s", r->cpu, name(cv, child));
	task(cv, t)->mode = MODE_KERNEL;
	{
		struct task *c = task(cv, child);
		c->mode = MODE_KERNEL;
		c->returned = c->depth = c->nested = c->exited = c->moved = 0;
		c->alive = c->tif_known = 1;   /* fpu_clone: TIF_NEED_FPU_LOAD set, last_cpu -1 */
		c->open = OPEN_NONE;
		c->last_cpu = c->fpu_cpu = -1;
	}
	return s;
}

/* x86_fpu_regs_activated by KVM's swap, followed at once by kvm:kvm_fpu. */
static int kvm_swap(struct converter *cv, const struct trace_record *r, int32_t t, int load)
{
	int s;

	if (load) {
		s = convert_line(cv, CLASS_KVM, r->line, "kvm-run cpu%u", r->cpu);
		task(cv, t)->mode = MODE_RUNLOOP;
		vm_entry(cv, r, t);
		task(cv, t)->in_entry = 0;
		return s;
	}
	vm_exit(cv, r, t, "io");
	s = convert_line(cv, CLASS_KVM, r->line, "kvm-return cpu%u", r->cpu);
	task(cv, t)->mode = MODE_USER;
	task(cv, t)->returned = 1;
	user_slice(cv, r);
	return s;
}

/* Is the register state valid for t on cpu, as Linux's owner and last_cpu say? */
static int valid(struct converter *cv, unsigned cpu, int32_t t)
{
	return cv->cpu[cpu].owner == t && task(cv, t)->fpu_cpu == (int16_t)cpu;
}

/* The step a restore of t belongs to (written now when needed), -1 when it fits
   none, or ANOTHER_VCPU: a swap of a vCPU thread the lab does not model (it has
   LAB_MAX_VCPUS vCPUs: the first threads with kvm_fpu events). */
enum { ANOTHER_VCPU = -2 };

static int restore_step(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);
	const struct trace_record *next = next_of(cv, i);

	if (next && next->type == TRACE_FPU_COPY_DST && x->kind != LAB_KTHREAD)
		return (int)(x->open_step = (uint32_t)on_fork(cv, i, r, t));
	if (next && next->type == TRACE_KVM_FPU && x->kind == LAB_VMM) {
		x->open = OPEN_NONE;
		return kvm_swap(cv, r, t, next->number);
	}
	if (next && next->type == TRACE_KVM_FPU)
		return ANOTHER_VCPU;
	if (x->open == OPEN_SIGNAL || x->open == OPEN_SIGRETURN)
		return (int)x->open_step;
	if (x->open == OPEN_EXEC) {
		x->open = OPEN_NONE;
		return return_user(cv, r, t, CLASS_FORK);
	}
	if (x->kind == LAB_VMM && (x->mode == MODE_RUNLOOP || x->mode == MODE_GUEST)) {
		if (x->in_entry && !valid(cv, r->cpu, t)) {
			x->in_entry = 0;
			return (int)x->entry_step;
		}
		kernel_fpu(cv, r, t);
		vm_entry(cv, r, t);
		x->in_entry = 0;
		return (int)x->entry_step;
	}
	if (!user(x) || !x->alive)
		return -1;
	if (x->mode == MODE_KERNEL && !x->returned && !(valid(cv, r->cpu, t) && cv->cpu[r->cpu].owner_known))
		return return_user(cv, r, t, CLASS_RETURN);
	return kernel_fpu(cv, r, t);
}

static void on_activated(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	int s = restore_step(cv, i, r, t);

	if (s == ANOTHER_VCPU)
		return unsupported(cv, r);
	if (s < 0) {
		unexplained(cv, r);
		return;
	}
	step(cv, s)->restores++;
	attach_fpu_line(step(cv, s), r);
	cv->cpu[r->cpu].owner = t;
	cv->cpu[r->cpu].owner_known = 1;
	task(cv, t)->fpu_cpu = (int16_t)r->cpu;
	task(cv, t)->tif_known = 1;
	task(cv, t)->moved = 0;
}

static void on_copy(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);
	int s = x->open_step && step(cv, (int)x->open_step)->class == CLASS_FORK && !step(cv, (int)x->open_step)->copies
		? (int)x->open_step : on_fork(cv, i, r, t);

	x->open_step = 0;
	if (s < 0) {
		unexplained(cv, r);
		return;
	}
	step(cv, s)->copies++;
	attach_fpu_line(step(cv, s), r);
}

static void on_syscall(struct converter *cv, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);

	if (!user(x) || !x->alive)
		return;
	if (x->mode == MODE_KERNEL)
		return_user(cv, r, t, CLASS_RETURN);   /* it was in user space: the return had no restore */
	if (r->number == NR_RT_SIGRETURN && x->nested) {
		x->nested--;
		return;
	}
	if (r->number == NR_RT_SIGRETURN && x->depth) {
		int s = convert_line(cv, CLASS_SIGNAL, r->line, "sigreturn cpu%u", r->cpu);
		x->depth--;
		x->open = OPEN_SIGRETURN;
		x->open_step = (uint32_t)s;
		user_slice(cv, r);
		return;
	}
	convert_line(cv, CLASS_RETURN, r->line, "syscall cpu%u", r->cpu);
	x->mode = MODE_KERNEL;
}

/* A signal whose frame needs a restore (load: 1) though Linux's owner and last_cpu say
   the registers are the task's: kernel FPU use the capture does not show came first
   (a softirq on that CPU while it idled, seen in a make -j2 capture). Assumed, and
   not verifiable. */
static void kernel_fpu_before_signal(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	const struct trace_record *next = next_of(cv, i);
	int s;

	if (!next || next->type != TRACE_FPU_ACTIVATED || next->number != 1 || !valid(cv, r->cpu, t) ||
	    !cv->cpu[r->cpu].owner_known)
		return;
	s = assumed_kernel_fpu(cv, r, task(cv, t)->mode == MODE_KERNEL ? "kthread" : "softirq");
	if (s >= 0)
		step(cv, s)->inferred = 1;
}

static void on_signal(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);
	int s;

	if (!user(x) || !x->alive || r->argument <= 1)
		return;   /* SIG_DFL, SIG_IGN: no handler runs, no frame is written */
	if (x->depth >= LAB_SIGNAL_DEPTH) {   /* the lab nests handlers this deep */
		x->nested++;
		return unsupported(cv, r);
	}
	kernel_fpu_before_signal(cv, i, r, t);
	s = convert_line(cv, CLASS_SIGNAL, r->line, "signal cpu%u", r->cpu);
	if (s < 0)
		return;
	x->depth++;
	x->mode = MODE_USER;
	x->returned = 1;
	x->open = OPEN_SIGNAL;
	x->open_step = (uint32_t)s;
	if (!cv->cpu[r->cpu].owner_known)
		step(cv, s)->unknown = 1;
	user_slice(cv, r);
}

static void on_exit_or_exec(struct converter *cv, const struct trace_record *r, int32_t t, int exec)
{
	struct task *x = task(cv, t);

	if (!user(x) || !x->alive || x->kind == LAB_VMM)
		return;
	if (convert_line(cv, CLASS_FORK, r->line, exec ? "exec cpu%u" : "exit cpu%u", r->cpu) < 0)
		return;
	x->mode = MODE_KERNEL;
	x->depth = x->nested = 0;
	if (exec) {
		x->open = OPEN_EXEC;
		x->fpu_cpu = -1;   /* fpu_flush_thread: not valid anywhere */
		return;
	}
	x->alive = 0;
	x->exited = 1;
	if (cv->cpu[r->cpu].owner == t)
		cv->cpu[r->cpu].owner = -1;
}

/* The lab's name for a kvm_exit reason (VMX's EXTERNAL_INTERRUPT, IO_INSTRUCTION, ...,
   SVM's intr, io, ...): what no policy treats apart is an interrupt's. */
static const char *exit_reason(const char *text, uint32_t length)
{
	static const struct { const char *prefix; const char *reason; } reasons[] = {
		{ "IO", "io" }, { "CPUID", "cpuid" }, { "HLT", "hlt" }, { "MSR", "msr" },
		{ "EPT_", "mmio" }, { "NPF", "mmio" },
	};
	for (unsigned i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
		size_t n = strlen(reasons[i].prefix);
		if (length >= n && strncasecmp(text, reasons[i].prefix, n) == 0)
			return reasons[i].reason;
	}
	return "intr";
}

/* kvm_exit and kvm_entry where the kernel has them: exits handled inside KVM, between
   the run's kvm_fpu load and unload, are vm-exit and vm-entry (an exit the capture
   already ended the guest with, or an entry it already began, changes nothing). */
static void on_kvm_entry_or_exit(struct converter *cv, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);

	if (x->kind != LAB_VMM)
		return;
	if (r->type == TRACE_KVM_EXIT)
		return vm_exit(cv, r, t, exit_reason(cv->capture->text + r->other_comm.offset, r->other_comm.length));
	if (x->mode == MODE_RUNLOOP)
		vm_entry(cv, r, t);
}

/* kvm:kvm_fpu without the restore before it: the swap still happened. A vCPU thread
   past the lab's LAB_MAX_VCPUS: its swaps are events it cannot model, never left out
   silently. */
static void on_kvm_fpu(struct converter *cv, const struct trace_record *r, int32_t t)
{
	struct task *x = task(cv, t);
	int inside = x->mode == MODE_RUNLOOP || x->mode == MODE_GUEST;

	if (x->kind != LAB_VMM)
		return unsupported(cv, r);
	if (inside != (r->number != 0))
		kvm_swap(cv, r, t, r->number);
}

/* The save after a sched_switch is the task switched out's, logged in its context. */
static int switch_save(struct converter *cv, size_t i, const struct trace_record *r, int32_t t)
{
	const struct cpu_view *cpu = &cv->cpu[r->cpu];
	return r->type == TRACE_FPU_DEACTIVATED && cpu->last_record < i && cpu->switch_prev == t &&
	       cv->capture->record[cpu->last_record].type == TRACE_SWITCH;
}

static void on_record(struct converter *cv, size_t i)
{
	const struct trace_record *r = &cv->capture->record[i];
	int32_t t = cv->record_task[i];

	if (switch_save(cv, i, r, t)) {
		on_deactivated(cv, i, r, t);
		cv->cpu[r->cpu].last_record = i;
		return;
	}
	running(cv, r, t);
	/* What the task does next closes its open signal, sigreturn or fork; a migration
	   of another task, logged in its context (a softirq), is not the task's doing. */
	if (r->type != TRACE_FPU_ACTIVATED && r->type != TRACE_MIGRATE && task(cv, t)->open != OPEN_EXEC)
		task(cv, t)->open = OPEN_NONE;
	switch (r->type) {
	case TRACE_SWITCH: on_switch(cv, i, r, t, cv->record_other[i]); break;
	case TRACE_FPU_DEACTIVATED: on_deactivated(cv, i, r, t); break;
	case TRACE_FPU_ACTIVATED: on_activated(cv, i, r, t); break;
	case TRACE_FPU_COPY_DST: on_copy(cv, i, r, t); break;
	case TRACE_SYS_ENTER: on_syscall(cv, r, t); break;
	case TRACE_SIGNAL: on_signal(cv, i, r, t); break;
	case TRACE_EXIT: on_exit_or_exec(cv, r, t, 0); break;
	case TRACE_EXEC: on_exit_or_exec(cv, r, t, 1); break;
	case TRACE_KVM_FPU: on_kvm_fpu(cv, r, t); break;
	case TRACE_KVM_ENTRY:
	case TRACE_KVM_EXIT: on_kvm_entry_or_exit(cv, r, t); break;
	case TRACE_FPU_OTHER: unexplained(cv, r); break;
	default: break;
	}
	cv->cpu[r->cpu].last_record = i;
}

const struct trace_convert_options trace_convert_defaults = { .fpu_use_percent = 100, .seed = 1 };

int trace_convert(const struct trace_capture *capture, struct trace_conversion *out)
{
	return trace_convert_with(capture, &trace_convert_defaults, out);
}

int trace_convert_with(const struct trace_capture *capture, const struct trace_convert_options *options,
		       struct trace_conversion *out)
{
	struct converter cv;
	int status = -1;

	memset(out, 0, sizeof *out);
	memset(&cv, 0, sizeof cv);
	cv.capture = capture;
	cv.options = options;
	out->options = *options;
	cv.random = 0x9e3779b97f4a7c15ull * ((uint64_t)options->seed + 1);
	cv.out = out;
	for (unsigned c = 0; c < LAB_MAX_CPUS; c++) {
		cv.cpu[c].current = cv.cpu[c].owner = cv.cpu[c].switch_prev = -1;
		cv.cpu[c].last_record = (size_t)-1;
	}
	if (convert_tasks(&cv) == 0) {
		convert_line(&cv, 0, 0, "measure");
		for (size_t i = 0; i < capture->records && !out->error[0]; i++)
			on_record(&cv, i);
		out->storage.action = calloc(out->scenario.events + 1, sizeof *out->storage.action);
		if (!out->storage.action && !out->error[0])
			snprintf(out->error, sizeof out->error, "out of memory for the oracle");
		status = out->error[0] ? -1 : 0;
	}
	out->header = cv.header;
	free(cv.task);
	free(cv.record_task);
	free(cv.record_other);
	return status;
}

void trace_conversion_free(struct trace_conversion *out)
{
	struct lab_storage *s = &out->storage;
	free(s->decl);
	free(s->event);
	free(s->model);
	free(s->state);
	free(s->area);
	free(s->action);
	free(s->oracle);
	free(out->step);
	free(out->header);
	memset(out, 0, sizeof *out);
}

static const char *const class_names[CLASS_COUNT] = {
	[CLASS_SWITCH] = "switch", [CLASS_RETURN] = "return to user", [CLASS_SIGNAL] = "signal",
	[CLASS_MIGRATION] = "migration", [CLASS_KERNEL_FPU] = "kernel FPU", [CLASS_KVM] = "KVM",
	[CLASS_FORK] = "fork, exit, exec",
};

const char *trace_class_name(unsigned class) { return class < CLASS_COUNT ? class_names[class] : "?"; }

void trace_scenario_write(const struct trace_conversion *out, FILE *file)
{
	const struct lab_scenario *s = &out->scenario;
	char line[160];

	fprintf(file, "%s", out->header ? out->header : "");
	for (unsigned i = 0; i < s->events; i++) {
		lab_event_format(s, &s->event[i], line, sizeof line);
		if (out->step[i].line)
			fprintf(file, "%-40s # trace line %u\n", line, out->step[i].line);
		else
			fprintf(file, "%s\n", line);
	}
}
