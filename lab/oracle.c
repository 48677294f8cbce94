/* The oracle: the lower bound from the whole trace, independent of any policy.
   It replays only the scheduling to learn who executes FP instructions where, then
   saves a context only if its state was modified and is displaced by another FPU user
   (or kernel FP code) before it runs again, and restores only if a context that executes
   FP instructions does not hold the registers. A signal delivery writes the frame
   (one save if the state is in registers; a memory copy otherwise). */
#include "lab/lab.h"
#include "lib/string.h"

enum { ACT_USE, ACT_CLOBBER, ACT_FRAME, ACT_SIGRETURN, ACT_MEASURE };
#define HANDLER(ctx) ((ctx) + LAB_MAX_CONTEXTS)
#define IDS (2 * LAB_MAX_CONTEXTS)
#define HOLDER_INIT 0xfe
#define HOLDER_JUNK 0xfd
#define MAX_ACTIONS (2 * LAB_MAX_EVENTS)

struct action {
	uint8_t type, id, cpu;
};

static bool user_kind(unsigned kind)
{
	return lab_kind_is_user(kind);
}

/* Replays the scheduling of the trace into FP actions; returns their number. */
static unsigned actions_of(const struct lab_scenario *s, struct action *out)
{
	uint8_t current[LAB_MAX_CPUS], mode[LAB_MAX_CONTEXTS], depth[LAB_MAX_CONTEXTS] = { 0 };
	uint8_t in_kfpu[LAB_MAX_CPUS] = { 0 }, guest_current = LAB_NONE;
	unsigned n = 0;

	memset(current, LAB_NONE, sizeof current);
	memset(mode, LAB_MODE_KERNEL, sizeof mode);
	for (unsigned i = 0; i < s->events && n + 2 < MAX_ACTIONS; i++) {
		const struct lab_event *e = &s->event[i];
		unsigned cpu = e->cpu, cur = current[cpu], ctx = e->context;
		bool do_use = false;

		switch (e->type) {
		case LAB_EV_MEASURE:
			out[n++] = (struct action){ ACT_MEASURE, 0, 0 };
			break;
		case LAB_EV_WAKE:
			for (unsigned c = 0; c < s->contexts; c++)
				if (s->context[c].kind == LAB_VMM) {
					ctx = c;
					break;
				}
			/* fall through */
		case LAB_EV_SWITCH:
		case LAB_EV_MIGRATE:
			if (ctx >= LAB_MAX_CONTEXTS)
				break;
			current[cpu] = (uint8_t)ctx;
			if (user_kind(s->context[ctx].kind) && mode[ctx] != LAB_MODE_RUNLOOP)
				mode[ctx] = LAB_MODE_USER;
			do_use = e->mask != 0;
			break;
		case LAB_EV_USE:
			do_use = true;
			break;
		case LAB_EV_KFPU_BEGIN:
			in_kfpu[cpu] = 1;
			out[n++] = (struct action){ ACT_CLOBBER, 0, (uint8_t)cpu };
			if (!e->arg && cur != LAB_NONE && mode[cur] == LAB_MODE_USER)
				mode[cur] = LAB_MODE_KERNEL;
			break;
		case LAB_EV_KFPU_END:
			in_kfpu[cpu] = 0;
			break;
		case LAB_EV_RETURN_USER:
		case LAB_EV_KVM_RETURN:
			if (cur != LAB_NONE)
				mode[cur] = LAB_MODE_USER;
			break;
		case LAB_EV_KVM_RUN:
		case LAB_EV_VM_EXIT:
		case LAB_EV_HALT:
			if (cur != LAB_NONE)
				mode[cur] = LAB_MODE_RUNLOOP;
			break;
		case LAB_EV_VM_ENTRY:
			if (cur != LAB_NONE)
				mode[cur] = LAB_MODE_GUEST;
			break;
		case LAB_EV_GUEST_SWITCH:
			guest_current = (uint8_t)ctx;
			do_use = e->mask != 0;
			break;
		case LAB_EV_SIGNAL:
			if (cur == LAB_NONE)
				break;
			out[n++] = (struct action){ ACT_FRAME, (uint8_t)cur, (uint8_t)cpu };
			depth[cur] = 1;
			mode[cur] = LAB_MODE_USER;
			break;
		case LAB_EV_SIGRETURN:
			if (cur == LAB_NONE)
				break;
			out[n++] = (struct action){ ACT_SIGRETURN, (uint8_t)cur, (uint8_t)cpu };
			depth[cur] = 0;
			break;
		}
		cur = current[cpu];
		if (!do_use || cur == LAB_NONE)
			continue;
		if (in_kfpu[cpu])
			out[n++] = (struct action){ ACT_CLOBBER, 0, (uint8_t)cpu };
		else if (mode[cur] == LAB_MODE_GUEST && guest_current != LAB_NONE)
			out[n++] = (struct action){ ACT_USE, guest_current, (uint8_t)cpu };
		else if (mode[cur] == LAB_MODE_USER)
			out[n++] = (struct action){ ACT_USE, (uint8_t)(depth[cur] ? HANDLER(cur) : cur), (uint8_t)cpu };
	}
	return n;
}

/* Does id need its state again after action i? */
static bool needed_later(const struct action *a, unsigned n, unsigned i, unsigned id)
{
	for (unsigned j = i + 1; j < n; j++) {
		if ((a[j].type == ACT_USE || a[j].type == ACT_FRAME) && a[j].id == id)
			return true;
		if (a[j].type == ACT_SIGRETURN && id >= LAB_MAX_CONTEXTS && a[j].id == id - LAB_MAX_CONTEXTS)
			return false;   /* the handler's state dies at sigreturn */
	}
	return false;
}

void lab_oracle(const struct lab_scenario *s, struct lab_counts *counts)
{
	struct action a[MAX_ACTIONS];
	uint8_t holder[LAB_MAX_CPUS], dirty[IDS] = { 0 }, used[IDS] = { 0 };
	unsigned n = actions_of(s, a);

	memset(counts, 0, sizeof *counts);
	memset(holder, HOLDER_INIT, sizeof holder);
	for (unsigned i = 0; i < n; i++) {
		unsigned cpu = a[i].cpu, id = a[i].id, h = holder[cpu];
		switch (a[i].type) {
		case ACT_MEASURE:
			memset(counts, 0, sizeof *counts);
			break;
		case ACT_CLOBBER:
			if (h < IDS && dirty[h] && needed_later(a, n, i, h))
				counts->saves++;
			if (h < IDS)
				dirty[h] = 0;
			holder[cpu] = HOLDER_JUNK;
			break;
		case ACT_FRAME:
			for (unsigned c = 0; c < LAB_MAX_CPUS; c++)
				if (holder[c] == id && used[id]) {
					counts->saves++;
					break;
				}
			dirty[id] = 0;
			used[HANDLER(id)] = 0;
			dirty[HANDLER(id)] = 0;
			break;
		case ACT_SIGRETURN:
			for (unsigned c = 0; c < LAB_MAX_CPUS; c++)
				if (holder[c] == HANDLER(id))
					holder[c] = HOLDER_JUNK;
			break;
		case ACT_USE:
			if (h == id) {
				dirty[id] = 1;
				break;
			}
			for (unsigned c = 0; c < LAB_MAX_CPUS; c++)
				if (c != cpu && holder[c] == id) {
					if (dirty[id])
						counts->saves++;
					holder[c] = HOLDER_JUNK;
				}
			if (h < IDS && dirty[h] && needed_later(a, n, i, h)) {
				counts->saves++;
				dirty[h] = 0;
			}
			if (!(h == HOLDER_INIT && !used[id]))
				counts->restores++;
			holder[cpu] = (uint8_t)id;
			dirty[id] = 1;
			used[id] = 1;
			break;
		}
	}
}
