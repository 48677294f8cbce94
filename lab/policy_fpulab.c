/* fpulab's own policy (docs/lab.md "fpulab's policy"): save on displacement, restore on
   demand, one owner table for host and guest.
   - A switch does nothing, except that a CPU going idle writes its stale owner back
     (the owner stays valid) where the owner's last wake-up (for an owner without
     one: every owner's) says that pays, and a switch to another task that owns
     state writes the owner back. The registers keep their owner; a context whose
     state may be newer in the registers than in its buffer is marked stale and
     saved only when something else is about to overwrite the registers (a restore,
     kernel FP code), at those switches, or when it must run on another CPU (saved
     there through an IPI).
   - kernel_fpu_begin saves a stale owner and invalidates the owner; kernel_fpu_end
     does nothing.
   - Return to user space (host or guest) restores only if the registers are not
     valid for the context. Exception: the VMM returning to user space while the
     registers hold its own vCPU's guest state: CR0.TS is set instead of swapping;
     the VMM may read that state anyway (KVM_GET_XSAVE), so a LazyFP-style speculative
     read leaks nothing it could not read. Its first FP instruction traps (#NM).
     Only where the trap is the cheaper bet on this machine's weights (trap_pays_off):
     otherwise the swap is done at once.
   - KVM_RUN only repoints the thread's state at the guest buffer (a remap, seed 000);
     VM entry loads the guest only if the registers are not valid for it, exits do
     nothing, returning to the VMM repoints back.
   - IA32_XFD is written before XRSTOR and follows the loaded state; guest XFD writes
     pass through, #NM is intercepted (Linux 5.17's scheme). */
#include "lab/lab.h"

/* The bytes a save or restore of a state moves: as many as its last one did (the
   XSTATE_BV of its buffer); before it ever moved, every component it may have. */
static uint64_t state_bytes(struct lab_machine *m, unsigned s)
{
	return m->ctx[s].moved_bytes ? m->ctx[s].moved_bytes : lab_area_bytes(lab_ctx_mask(m, s));
}

/* The bytes a save of owner, in cpu's registers now, moves: what XINUSE says is in
   use, where the backend reads it; otherwise every component owner may have. */
static uint64_t registers_bytes(struct lab_machine *m, unsigned cpu, unsigned owner)
{
	if (m->fpu->in_use)
		return lab_area_bytes(m->fpu->in_use(m->fpu->self, cpu));
	return lab_area_bytes(lab_ctx_mask(m, owner));
}

/* The odds the bet is priced at: the VMM touches the FPU before the next entry on two
   of three exits to user space. An assumption, not a measurement: under Linux's eager
   restore no event shows whether a user slice used the FPU (the captures' converter
   assumes every slice does), and a VMM's exit handling runs glibc's string functions,
   which use the vector registers. */
enum { VMM_USES_FPU = 2, VMM_LEAVES_FPU = 1 };

/* Without the bet the VMM's return swaps: the guest's save and the VMM's restore now,
   the VMM's save (its state is stale once loaded) and the guest's restore at the next
   entry, each restore after an IA32_XFD write where the two states need different
   values (a guest that enabled AMX, a VMM that did not). Setting CR0.TS instead costs
   one CR0 write either way. A won bet (the guest
   re-entered first) spares the whole swap; a lost one (the VMM's #NM) does the swap
   anyway, after the trap and its handler's CLTS. Taken when its expected cost is below
   the swap's at those odds, p (trap + cr0) + cr0 < (1 - p) swap, with the weights the
   run costs with (lab_weights) and the sizes the two states have. */
static bool trap_pays_off(struct lab_machine *m, unsigned cpu, unsigned vmm)
{
	const struct lab_cost_weights *w = lab_weights();
	uint64_t bytes = 2 * registers_bytes(m, cpu, m->guest) + 2 * state_bytes(m, vmm);
	uint64_t swap = 2ull * w->save_base + 2ull * w->restore_base + bytes / 64 * w->per_64_bytes;
	uint64_t lost = (uint64_t)w->nm_trap + w->cr0_write;

	if (lab_xfd_for(m, m->guest) != lab_xfd_for(m, vmm))
		swap += 2ull * w->msr_write;

	return VMM_USES_FPU * lost + (VMM_USES_FPU + VMM_LEAVES_FPU) * (uint64_t)w->cr0_write <
	       VMM_LEAVES_FPU * swap;
}

/* Going idle with a stale owner: writing it back costs a save now, and spares an IPI
   if the owner next runs on another CPU; leaving it costs nothing if the owner comes
   back here first, or never needs it again. How an owner left at idle was next needed
   is its outcome: here (a stay: the write-back was wasted, as it is for an owner that
   exits) or elsewhere (a move); another state taking the registers first is neither
   (its load saves the owner either way). An owner's next outcome is predicted to be
   its last one (in the captures of other programs a task that slept and woke on one
   CPU mostly does so again, docs/lab.md):
   - after a move the owner is written back;
   - after a stay it is left, while the moves that followed stays so far (an IPI each)
     cost less than the write-backs of the stays that followed stays, plus one;
   - an owner without an outcome is written back while every owner's stays x save <
     (moves + 1) x IPI at the run's weights: the first idle writes back, and so does
     every one until the stays outweigh the IPIs the moves cost (14 stays to a move
     under the default weights).
   The counts are halved past 1024 outcomes, so a change of workload shows. */
enum { IDLE_HISTORY_LIMIT = 1024 };

static void count_outcome(uint32_t *stays, uint32_t *moves, bool stay)
{
	if (stay)
		++*stays;
	else
		++*moves;
	if (*stays + *moves > IDLE_HISTORY_LIMIT) {
		*stays /= 2;
		*moves /= 2;
	}
}

static void idle_count(struct lab_machine *m, unsigned owner, bool stay)
{
	uint8_t *flags = &m->ctx[owner].flags;

	if (*flags & LAB_CTX_IDLE_STAYED)
		count_outcome(&m->idle_stays_after_stay, &m->idle_moves_after_stay, stay);
	count_outcome(&m->idle_stays, &m->idle_moves, stay);
	*flags = (uint8_t)((*flags & ~(LAB_CTX_IDLE_STAYED | LAB_CTX_IDLE_MOVED)) |
			   (stay ? LAB_CTX_IDLE_STAYED : LAB_CTX_IDLE_MOVED));
}

/* state is needed on cpu: if it was left at idle somewhere, that is a stay or a move;
   whatever was left on cpu itself is displaced first (neither). */
static void idle_outcome(struct lab_machine *m, unsigned cpu, unsigned state)
{
	for (unsigned c = 0; c < m->cpus; c++) {
		if (m->idle_left[c] == state + 1)
			idle_count(m, state, c == cpu);
		else if (c != cpu)
			continue;
		m->idle_left[c] = 0;
	}
}

static bool idle_write_back_pays_off(struct lab_machine *m, unsigned cpu, unsigned owner)
{
	const struct lab_cost_weights *w = lab_weights();
	uint64_t save = w->save_base + registers_bytes(m, cpu, owner) / 64 * w->per_64_bytes;
	uint8_t flags = m->ctx[owner].flags;

	if (flags & LAB_CTX_IDLE_MOVED)
		return true;
	if (flags & LAB_CTX_IDLE_STAYED)
		return (uint64_t)m->idle_moves_after_stay * w->ipi >= ((uint64_t)m->idle_stays_after_stay + 1) * save;
	return (uint64_t)m->idle_stays * save < ((uint64_t)m->idle_moves + 1) * w->ipi;
}

static void going_idle(struct lab_machine *m, unsigned cpu)
{
	unsigned owner = m->owner[0][cpu];

	if (owner == LAB_NONE || !(m->ctx[owner].flags & LAB_CTX_STALE) || m->ctx[owner].last_cpu != cpu)
		return;
	m->idle_left[cpu] = (uint16_t)(owner + 1);
	if (idle_write_back_pays_off(m, cpu, owner))
		lab_save(m, 0, cpu, owner);   /* it stays valid: its next run here restores nothing */
}

static void fpulab_switch(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned prev, unsigned next)
{
	unsigned kind = next == LAB_NONE ? LAB_CONTEXT_KINDS : lab_kind(m, next);

	(void)prev;
	if (dom)
		return;
	if (kind == LAB_IDLE)
		return going_idle(m, cpu);
	/* Switching to another task that owns state: its return to user space would
	   displace the owner anyway, so write it back now, while it is here (the
	   captures: a task that moves to another CPU then costs no IPI). */
	if ((kind == LAB_USER || kind == LAB_VMM) && m->owner[0][cpu] != lab_state_of(m, 0, next))
		lab_save_owner_if_stale(m, dom, cpu);
}

static void fpulab_kfpu_begin(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	if (!dom)
		idle_outcome(m, cpu, LAB_NONE);
	lab_clear_ts(m, lab_phys(m, dom, cpu));
	lab_save_owner_if_stale(m, dom, cpu);
	if (!(m->config->mutation & LAB_MUT_KFPU_KEEPS_OWNER))
		lab_invalidate(m, dom, cpu);
}

static void fpulab_kfpu_end(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	(void)m; (void)dom; (void)cpu;
}

/* The bet's history (hv_flag), like a two-bit branch predictor: after two lost bets
   in a row (the VMM used the FPU: #NM) the policy swaps at once for the next 2, then
   4, then 8 returns before it bets again; a won bet (the guest re-entered first)
   forgets the losses. A VMM that uses the FPU after every exit then loses about one
   bet in nine instead of every one; one that does so now and then keeps the bet. */
enum { BET_PENDING = 0, BET_LOSSES = 1, BET_BACKOFF = 2, BET_SKIPS = 3 };

static void bet_lost(struct lab_machine *m)
{
	if (!m->hv_flag[BET_PENDING])
		return;
	m->hv_flag[BET_PENDING] = 0;
	if (++m->hv_flag[BET_LOSSES] < 2)
		return;
	m->hv_flag[BET_LOSSES] = 2;
	if (m->hv_flag[BET_BACKOFF] < 3)
		m->hv_flag[BET_BACKOFF]++;
	m->hv_flag[BET_SKIPS] = (uint8_t)(1u << m->hv_flag[BET_BACKOFF]);
}

static void bet_won(struct lab_machine *m)
{
	if (m->hv_flag[BET_PENDING])
		m->hv_flag[BET_LOSSES] = m->hv_flag[BET_BACKOFF] = 0;
	m->hv_flag[BET_PENDING] = 0;
}

/* The registers hold the VMM's own vCPU's guest state as the VMM returns to user
   space: the one case where laziness stays inside a protection domain. Bet then,
   unless the weights or the bet's history say no. */
static bool vmm_over_own_guest(struct lab_machine *m, unsigned cpu, unsigned ctx, unsigned s)
{
	if (!(ctx == m->vmm && s == ctx && m->guest != LAB_NONE && lab_valid(m, 0, cpu, m->guest) &&
	      trap_pays_off(m, cpu, ctx)))
		return false;
	if (m->hv_flag[BET_SKIPS]) {
		m->hv_flag[BET_SKIPS]--;
		return false;
	}
	m->hv_flag[BET_PENDING] = 1;
	return true;
}

static void fpulab_return_user(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	unsigned s = lab_state_of(m, dom, ctx);

	if (!dom)
		idle_outcome(m, cpu, s);
	if (!lab_valid(m, dom, cpu, s) && !dom && (vmm_over_own_guest(m, cpu, ctx, s) ||
	    (m->config->mutation & LAB_MUT_LAZY_FOR_EVERY_TASK))) {
		lab_set_ts(m, cpu);   /* the #NM loads it */
		return;
	}
	lab_load(m, dom, cpu, s);
	if (!dom)
		lab_clear_ts(m, cpu);
	m->ctx[s].flags |= LAB_CTX_STALE;
}

static void fpulab_nm(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err)
{
	if (!xfd_err && ctx == m->vmm)
		bet_lost(m);
	lab_nm_clear_ts_and_load(m, dom, cpu, ctx, xfd_err);
	if (!xfd_err)
		m->ctx[lab_state_of(m, dom, ctx)].flags |= LAB_CTX_STALE;
}

/* A signal to a task whose state these registers do not hold (kernel FP code ran, or
   it has not returned to user space since it was switched in): its newest state is
   its buffer (saved first where it is stale on another CPU) and is copied into the
   frame in memory, converted to the standard format as ptrace's copy_xstate_to_uabi_buf
   converts it, instead of Linux's restore and XSAVE. The handler's init state is then
   loaded over the registers, whose stale owner is saved first. */
static void fpulab_signal_frame(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	idle_outcome(m, cpu, ctx);
	if (lab_valid(m, 0, cpu, ctx) || !m->fpu->copy_to_frame)
		return lab_signal_frame_linux(m, cpu, ctx);
	if (!(m->config->mutation & LAB_MUT_FRAME_COPY_SKIPS_IPI))
		lab_save_stale_elsewhere(m, cpu, ctx);
	lab_frame_copy(m, ctx);
	lab_clear_ts(m, cpu);
	lab_save_owner_if_stale(m, 0, cpu);
	lab_invalidate(m, 0, cpu);
	lab_sync_xfd(m, 0, cpu, ctx);
	lab_handler_init(m, cpu, ctx);
}

/* An owner left at idle that exits never needed the write-back: a stay. */
static void fpulab_exit(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	for (unsigned c = 0; c < m->cpus; c++)
		if (m->idle_left[c] == ctx + 1) {
			m->idle_left[c] = 0;
			idle_count(m, ctx, true);
		}
	lab_exit_drop(m, cpu, ctx);
}

const struct lab_host_ops lab_host_fpulab = {
	.name = "fpulab", .switch_to = fpulab_switch, .kfpu_begin = fpulab_kfpu_begin,
	.kfpu_end = fpulab_kfpu_end, .return_user = fpulab_return_user, .nm = fpulab_nm,
	.exit = fpulab_exit, .signal_frame = fpulab_signal_frame,
};

static void fpulab_run_enter(struct lab_machine *m, unsigned cpu)
{
	(void)cpu;
	m->ctx[m->vmm].thread_state = m->guest;
}

static void fpulab_entry(struct lab_machine *m, unsigned cpu)
{
	idle_outcome(m, cpu, m->guest);
	bet_won(m);
	lab_load(m, 0, cpu, m->guest);
	m->ctx[m->guest].flags |= LAB_CTX_STALE;
}

static void fpulab_run_return(struct lab_machine *m, unsigned cpu)
{
	(void)cpu;
	m->ctx[m->vmm].thread_state = m->vmm;
}

const struct lab_hv_ops lab_hv_fpulab = {
	.name = "fpulab", .run_enter = fpulab_run_enter, .entry = fpulab_entry,
	.run_return = fpulab_run_return, .xfd_passthrough = true,
};
