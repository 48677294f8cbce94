/* The helpers every policy's register operation goes through (lab/lab_machine.h), so
   that the counts are the backend's and the observer sees each operation. */
#include "lab/lab_run.h"
#include "lib/string.h"

unsigned lab_kind(struct lab_machine *m, unsigned ctx)
{
	return lab_model_kind(&m->model, ctx);
}

bool lab_owns_state(struct lab_machine *m, unsigned ctx)
{
	unsigned kind = lab_kind(m, ctx);
	return kind == LAB_USER || kind == LAB_VMM || kind == LAB_GUEST || kind == LAB_GUEST_USER;
}

unsigned lab_phys(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	return dom ? lab_model_vcpu_cpu(&m->model) : cpu;
}

void lab_select_vcpu(struct lab_machine *m)
{
	unsigned v = m->model.selected;
	struct lab_vcpu_state *out = &m->vcpu_state[m->vcpu_selected], *in = &m->vcpu_state[v];

	if (v == m->vcpu_selected)
		return;
	*out = (struct lab_vcpu_state){ .guest_xfd = m->guest_xfd, .guest_owner = m->owner[1][0],
					.guest_loaded = m->guest_loaded, .guest_ts_trap = m->guest_ts_trap };
	memcpy(out->hv_flag, m->hv_flag, sizeof out->hv_flag);
	m->guest_xfd = in->guest_xfd;
	m->owner[1][0] = in->guest_owner;
	m->guest_loaded = in->guest_loaded;
	m->guest_ts_trap = in->guest_ts_trap;
	memcpy(m->hv_flag, in->hv_flag, sizeof m->hv_flag);
	m->vmm = m->model.vmm;
	m->guest = m->model.guest;
	m->vcpu_selected = v;
}

bool lab_valid(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	if (ctx == LAB_NONE || m->owner[dom][cpu] != ctx)
		return false;
	return (m->config->mutation & LAB_MUT_NO_LAST_CPU) || m->ctx[ctx].last_cpu == cpu;
}

uint32_t lab_ctx_mask(struct lab_machine *m, unsigned ctx)
{
	return (m->ctx[ctx].flags & LAB_CTX_XFD_DISARMED) ? LAB_MASK_ALL : LAB_MASK_ALL & ~LAB_MASK_XFD;
}

static void observe(struct lab_machine *m, unsigned op, unsigned ctx)
{
	if (m->observer)
		m->observer->op(m->observer->self, m->step, m->effect, op, ctx);
}

void lab_set_ts(struct lab_machine *m, unsigned cpu)
{
	if (m->fpu->ts(m->fpu->self, cpu))
		return;
	m->fpu->set_ts(m->fpu->self, cpu);
	m->counts.cr0_writes++;
}

void lab_clear_ts(struct lab_machine *m, unsigned cpu)
{
	if (!m->fpu->ts(m->fpu->self, cpu))
		return;
	m->fpu->clear_ts(m->fpu->self, cpu);
	m->counts.cr0_writes++;
}

void lab_write_xfd(struct lab_machine *m, unsigned cpu, uint32_t value)
{
	if (m->xfd_cache[cpu] == value)
		return;
	m->fpu->write_xfd(m->fpu->self, cpu, value);
	m->xfd_cache[cpu] = value;
	m->counts.xfd_writes++;
}

void lab_vm_exit_count(struct lab_machine *m)
{
	m->counts.vm_exits++;
}

/* The guest touched the FPU while the hypervisor armed its first-use trap. */
void lab_guest_trap_if_armed(struct lab_machine *m, unsigned dom, unsigned phys)
{
	if (!dom || !m->fpu->ts(m->fpu->self, phys))
		return;
	m->counts.nm_traps++;
	lab_vm_exit_count(m);
	m->guest_ts_trap = 0;
	m->fpu->clear_ts(m->fpu->self, phys);   /* the guest's CR0 in the VMCS: not a CR0 write */
	if (m->config->hv->guest_fp_trap)
		m->config->hv->guest_fp_trap(m, phys);
}

/* The guest writes its IA32_XFD: passed through, or an exit per write. */
static void guest_write_xfd(struct lab_machine *m, uint32_t value)
{
	if (m->guest_xfd == value)
		return;
	m->guest_xfd = value;
	if (!m->config->hv->xfd_passthrough)
		lab_vm_exit_count(m);
	lab_write_xfd(m, lab_model_vcpu_cpu(&m->model), value);
}

/* IA32_XFD the registers need while ctx's state is loaded. */
uint32_t lab_xfd_for(struct lab_machine *m, unsigned ctx)
{
	if (lab_kind(m, ctx) == LAB_GUEST)
		return m->guest_xfd;
	return (m->ctx[ctx].flags & LAB_CTX_XFD_DISARMED) ? 0 : LAB_MASK_XFD;
}

void lab_sync_xfd(struct lab_machine *m, unsigned dom, unsigned phys, unsigned ctx)
{
	if ((m->config->mutation & LAB_MUT_XFD_NOT_REARMED) && lab_xfd_for(m, ctx))
		return;
	if (dom)
		guest_write_xfd(m, lab_xfd_for(m, ctx));
	else
		lab_write_xfd(m, phys, lab_xfd_for(m, ctx));
}

void lab_save(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	unsigned phys = lab_phys(m, dom, cpu);
	lab_guest_trap_if_armed(m, dom, phys);
	if (!dom)
		lab_clear_ts(m, phys);
	m->ctx[ctx].moved_bytes = m->fpu->save(m->fpu->self, phys, ctx, 0, lab_ctx_mask(m, ctx));
	m->counts.bytes_saved += m->ctx[ctx].moved_bytes;
	m->counts.saves++;
	m->ctx[ctx].flags &= (uint8_t)~LAB_CTX_STALE;
	observe(m, LAB_OP_SAVE, ctx);
}

/* The registers of cpu stop holding its owner's state: the owner is no longer loaded. */
static void displace_owner(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned owner = m->owner[dom][cpu];
	if (owner != LAB_NONE && m->ctx[owner].last_cpu == cpu)
		m->ctx[owner].flags &= (uint8_t)~LAB_CTX_LOADED;
}

void lab_restore(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	unsigned phys = lab_phys(m, dom, cpu);
	bool xfd_late = m->config->mutation & LAB_MUT_XFD_AFTER_XRSTOR;

	lab_guest_trap_if_armed(m, dom, phys);
	if (!dom)
		lab_clear_ts(m, phys);
	if (!xfd_late)
		lab_sync_xfd(m, dom, phys, ctx);   /* XFD before XRSTOR, or the component stays init */
	/* Every component: one the buffer lacks becomes init (as Linux's XRSTOR of the
	   whole feature set does), so no earlier owner's tile data survives an armed XFD. */
	m->ctx[ctx].moved_bytes = m->fpu->restore(m->fpu->self, phys, ctx, 0, LAB_MASK_ALL);
	m->counts.bytes_restored += m->ctx[ctx].moved_bytes;
	m->counts.restores++;
	if (xfd_late)
		lab_sync_xfd(m, dom, phys, ctx);
	displace_owner(m, dom, cpu);
	m->owner[dom][cpu] = (uint16_t)ctx;
	m->ctx[ctx].last_cpu = (uint8_t)cpu;
	m->ctx[ctx].flags = (uint8_t)((m->ctx[ctx].flags & ~LAB_CTX_STALE) | LAB_CTX_LOADED);
	observe(m, LAB_OP_RESTORE, ctx);
}

void lab_save_owner_if_stale(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned owner = m->owner[dom][cpu];
	if (owner != LAB_NONE && (m->ctx[owner].flags & LAB_CTX_STALE) && m->ctx[owner].last_cpu == cpu)
		lab_save(m, dom, cpu, owner);
}

void lab_save_stale_elsewhere(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	for (unsigned other = 0; other < m->cpus; other++)
		if (other != cpu && m->owner[0][other] == ctx && m->ctx[ctx].last_cpu == other &&
		    (m->ctx[ctx].flags & LAB_CTX_STALE)) {
			m->counts.ipis++;
			lab_save(m, 0, other, ctx);
		}
}

void lab_load(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	if (lab_valid(m, dom, cpu, ctx)) {
		lab_sync_xfd(m, dom, lab_phys(m, dom, cpu), ctx);
		m->ctx[ctx].flags |= LAB_CTX_LOADED;
		return;
	}
	if (!dom)
		lab_save_stale_elsewhere(m, cpu, ctx);
	lab_save_owner_if_stale(m, dom, cpu);
	lab_restore(m, dom, cpu, ctx);
}

void lab_invalidate(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	displace_owner(m, dom, cpu);
	m->owner[dom][cpu] = LAB_NONE;
}

/* The generic #NM handling of an XFD fault (xfd-dynamic, Linux 5.17+): clear XFD_ERR,
   grow the buffer, disarm XFD for the context. */
void lab_xfd_nm(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err)
{
	unsigned phys = lab_phys(m, dom, cpu);
	if (!xfd_err)
		return;
	m->fpu->write_xfd_err(m->fpu->self, phys, 0);
	m->counts.xfd_writes++;
	if (dom && !m->config->hv->xfd_passthrough)
		lab_vm_exit_count(m);
	m->ctx[ctx].flags |= LAB_CTX_XFD_DISARMED;
	lab_sync_xfd(m, dom, phys, ctx);
}

/* Signal frames (docs/lab.md "Signals"): the frame is in the standard format. */
/* During a signal's effect the model's depth is still the one before it: the new
   frame's level is one more. */
static int new_frame_level(struct lab_machine *m, unsigned ctx)
{
	return m->model.ctx[ctx].depth + 1;
}

void lab_frame_save(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	m->counts.bytes_saved += m->fpu->save(m->fpu->self, cpu, ctx, new_frame_level(m, ctx), lab_ctx_mask(m, ctx));
	m->counts.saves++;
	observe(m, LAB_OP_FRAME_SAVE, ctx);
}

void lab_frame_copy(struct lab_machine *m, unsigned ctx)
{
	m->counts.bytes_copied += m->fpu->copy_to_frame(m->fpu->self, ctx, new_frame_level(m, ctx),
							lab_ctx_mask(m, ctx));
	m->counts.frame_copies++;
	observe(m, LAB_OP_FRAME_COPY, ctx);
}

void lab_handler_init(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	/* every component: no earlier owner's state survives into the handler */
	m->fpu->restore_init(m->fpu->self, cpu, LAB_MASK_ALL);
	m->counts.restores++;
	m->counts.bytes_restored += LAB_XSAVE_HEADER_BYTES;
	observe(m, LAB_OP_INIT_RESTORE, ctx);
	m->owner[0][cpu] = (uint16_t)ctx;
	m->ctx[ctx].last_cpu = (uint8_t)cpu;
	m->ctx[ctx].flags |= LAB_CTX_STALE | LAB_CTX_LOADED;
}
