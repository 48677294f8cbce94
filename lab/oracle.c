/* The oracle: the lower bound of a run, knowing its whole future. It gets the same
   effects as the engine (lab/model.c), as actions: who executes FP instructions
   where, kernel FP code, signal frames, fork's copy, exit and exec. It saves a state
   only if it was modified, is displaced (by another state or kernel FP code) and is
   needed again, in the run or after it (a run is a window of a running system: a
   state that has not ended by exit or exec lives on); it restores only if a state
   that is used does not hold the registers. A signal frame is one save if the state
   is in the registers (a memory copy otherwise); after sigreturn the state is the
   frame's, in memory. Fork's copy is one save if the parent's newest state is only
   in the registers and the child needs it. Linear in the actions: a backward pass
   finds each action's next need of its state first.
   Its cost is a lower bound too (lab_cost of its counts): each of its saves and
   restores moves at least the components that state has written since it began (a
   save of one dirty stretch must follow the stretch's last write, so no policy's save
   of it moves less), and every policy pays the scenario's own VM exits. It counts
   nothing else: no #NM, CR0, MSR, XSETBV or IPI is forced on every policy. */
#include "lab/lab_run.h"
#include "lib/string.h"

#define NO_ACTION 0xffffffffu
#define AFTER_THE_END 0xfffffffeu   /* needed after the run: the context lives on */
#define HOLDER_INIT 0xfffeu
#define HOLDER_JUNK 0xfffdu

int lab_action_of(const struct lab_model *model, const struct lab_effect *fx, struct lab_action *a)
{
	unsigned ctx = fx->ctx;

	memset(a, 0, sizeof *a);
	a->cpu = fx->cpu;
	a->id = (uint16_t)ctx;
	a->other = LAB_NONE;
	switch (fx->type) {
	case LAB_FX_MEASURE: a->type = LAB_ACT_MEASURE; return 1;
	case LAB_FX_CLOBBER: a->type = LAB_ACT_CLOBBER; return 1;
	case LAB_FX_USE:
		a->type = LAB_ACT_USE;
		a->mask = (uint8_t)(fx->mask & LAB_MASK_ALL);
		if (!fx->dom)
			a->id = (uint16_t)(ctx + model->scenario->contexts * model->ctx[ctx].depth);
		return 1;
	case LAB_FX_SIGNAL:   /* the state it interrupts goes to the frame */
		a->type = LAB_ACT_FRAME;
		a->id = (uint16_t)(ctx + model->scenario->contexts * model->ctx[ctx].depth);
		return 1;
	case LAB_FX_SIGRETURN:   /* the state the handler returns to */
		a->type = LAB_ACT_SIGRETURN;
		a->id = (uint16_t)(ctx + model->scenario->contexts * (model->ctx[ctx].depth - 1u));
		return 1;
	case LAB_FX_FORK: a->type = LAB_ACT_FORK; a->other = fx->other; return 1;
	case LAB_FX_EXIT: a->type = LAB_ACT_EXIT; return 1;
	case LAB_FX_EXEC: a->type = LAB_ACT_EXEC; return 1;
	case LAB_FX_VM_EXIT: a->type = LAB_ACT_VM_EXIT; return 1;
	}
	return 0;
}

void lab_action_append(const struct lab_model *model, const struct lab_effect *fx, unsigned *count)
{
	const struct lab_storage *storage = model->scenario->storage;

	if (*count < storage->events)
		*count += (unsigned)lab_action_of(model, fx, &storage->action[*count]);
}

/* State ids: a context's, then its handlers' level by level: context + L * contexts
   for handler level L. HANDLER(id): the state of the handler a signal to id starts. */
#define HANDLER(id) ((id) + contexts)

static void end_life(struct lab_oracle_id *o, unsigned contexts, unsigned ctx)
{
	for (unsigned level = 0; level < LAB_STATE_LEVELS; level++)
		o[ctx + level * contexts].last = NO_ACTION;
}

/* Backward: action i's next = the next action that needs its state (o[].last holds
   the next need of each state meanwhile). A fork needs the parent's state only if
   the child needs its copy: the child's next need is the fork's next_other. */
static void link_needs(struct lab_action *a, unsigned n, struct lab_oracle_id *o, unsigned contexts)
{
	unsigned ids = LAB_STATE_LEVELS * contexts;

	for (unsigned id = 0; id < ids; id++)
		o[id].last = AFTER_THE_END;
	for (unsigned i = n; i-- > 0;) {
		unsigned id = a[i].id;
		switch (a[i].type) {
		case LAB_ACT_USE:
			a[i].next = o[id].last;
			o[id].last = i;
			break;
		case LAB_ACT_FRAME:   /* needs the task's state; the old handler state is dead */
			a[i].next = o[id].last;
			o[id].last = i;
			o[HANDLER(id)].last = NO_ACTION;
			break;
		case LAB_ACT_SIGRETURN:
			o[HANDLER(id)].last = NO_ACTION;
			break;
		case LAB_ACT_FORK:
			a[i].next_other = o[a[i].other].last;
			end_life(o, contexts, a[i].other);
			a[i].next = o[id].last;
			if (a[i].next_other != NO_ACTION)
				o[id].last = i;
			break;
		case LAB_ACT_EXIT:
		case LAB_ACT_EXEC:
			end_life(o, contexts, id);
			break;
		}
	}
	for (unsigned id = 0; id < ids; id++)
		o[id].last = NO_ACTION;
}

/* Is state h needed after now? Its latest need's next need exists. */
static bool needed_later(const struct lab_action *a, const struct lab_oracle_id *o, unsigned h)
{
	unsigned last = o[h].last;
	return last != NO_ACTION && a[last].next != NO_ACTION;
}

struct oracle_run {
	struct lab_action *a;
	struct lab_oracle_id *o;
	unsigned cpus, contexts, ids;
	uint16_t holder[LAB_MAX_CPUS];
	struct lab_counts *counts;
};

static bool is_state(unsigned h, unsigned ids) { return h < ids; }

static void drop_holder_of(struct oracle_run *r, unsigned id)
{
	for (unsigned c = 0; c < r->cpus; c++)
		if (r->holder[c] == id)
			r->holder[c] = HOLDER_JUNK;
}

static void forget(struct oracle_run *r, unsigned ctx)
{
	for (unsigned level = 0; level < LAB_STATE_LEVELS; level++) {
		unsigned id = ctx + level * r->contexts;
		drop_holder_of(r, id);
		r->o[id].dirty = r->o[id].used = r->o[id].components = 0;
	}
}

static void count_save(struct oracle_run *r, uint32_t components)
{
	r->counts->saves++;
	r->counts->bytes_saved += lab_area_bytes(components);
}

static void displace(struct oracle_run *r, unsigned cpu)
{
	unsigned h = r->holder[cpu];
	if (is_state(h, r->ids) && r->o[h].dirty && needed_later(r->a, r->o, h)) {
		count_save(r, r->o[h].components);
		r->o[h].dirty = 0;
	}
}

static void use(struct oracle_run *r, unsigned i)
{
	unsigned cpu = r->a[i].cpu, id = r->a[i].id, h = r->holder[cpu];
	struct lab_oracle_id *o = r->o;

	o[id].last = i;
	if (h == id) {
		o[id].dirty = 1;
		o[id].components |= r->a[i].mask;
		return;
	}
	for (unsigned c = 0; c < r->cpus; c++)
		if (c != cpu && r->holder[c] == id) {
			if (o[id].dirty)
				count_save(r, r->o[id].components);   /* it moves: saved where it was */
			r->holder[c] = HOLDER_JUNK;
		}
	displace(r, cpu);
	if (!(h == HOLDER_INIT && !o[id].used)) {
		r->counts->restores++;
		r->counts->bytes_restored += lab_area_bytes(o[id].components);
	}
	r->holder[cpu] = (uint16_t)id;
	o[id].dirty = 1;
	o[id].used = 1;
	o[id].components |= r->a[i].mask;
}

static void frame(struct oracle_run *r, unsigned i)
{
	unsigned id = r->a[i].id, contexts = r->contexts;

	r->o[id].last = i;
	for (unsigned c = 0; c < r->cpus; c++)
		if (r->holder[c] == id && r->o[id].used) {
			count_save(r, r->o[id].components);
			break;
		}
	r->o[id].dirty = 0;
	r->o[HANDLER(id)].used = r->o[HANDLER(id)].dirty = r->o[HANDLER(id)].components = 0;
}

static void fork_copy(struct oracle_run *r, unsigned i)
{
	unsigned parent = r->a[i].id, child = r->a[i].other;
	bool child_needs = r->a[i].next_other != NO_ACTION;
	uint8_t inherited = r->o[parent].components & (uint8_t)~LAB_MASK_XFD;   /* tiles are not */

	if (child_needs) {
		for (unsigned c = 0; c < r->cpus; c++)
			if (r->holder[c] == parent && r->o[parent].dirty) {
				count_save(r, inherited);   /* into the child's buffer */
				break;
			}
		r->o[parent].last = i;
	}
	forget(r, child);
	r->o[child].used = r->o[parent].used;
	r->o[child].components = inherited;
}

void lab_oracle_solve(const struct lab_scenario *s, unsigned n, struct lab_counts *counts)
{
	const struct lab_storage *storage = s->storage;
	unsigned contexts = s->contexts;
	struct oracle_run r = { storage->action, storage->oracle, s->cpus, contexts, LAB_STATE_LEVELS * contexts,
				{ 0 }, counts };

	memset(counts, 0, sizeof *counts);
	link_needs(r.a, n, r.o, contexts);
	for (unsigned id = 0; id < r.ids; id++)
		r.o[id].dirty = r.o[id].used = r.o[id].components = 0;
	for (unsigned c = 0; c < LAB_MAX_CPUS; c++)
		r.holder[c] = HOLDER_INIT;
	for (unsigned i = 0; i < n; i++) {
		unsigned id = r.a[i].id;
		switch (r.a[i].type) {
		case LAB_ACT_MEASURE: memset(counts, 0, sizeof *counts); break;
		case LAB_ACT_CLOBBER:
			displace(&r, r.a[i].cpu);
			if (is_state(r.holder[r.a[i].cpu], r.ids))
				r.o[r.holder[r.a[i].cpu]].dirty = 0;
			r.holder[r.a[i].cpu] = HOLDER_JUNK;
			break;
		case LAB_ACT_FRAME: frame(&r, i); break;
		case LAB_ACT_SIGRETURN:
			/* the state is the frame's now, which the handler may have changed
			   (ucontext): it comes back from memory, whatever the registers hold */
			drop_holder_of(&r, HANDLER(id));
			drop_holder_of(&r, id);
			r.o[id].dirty = 0;
			break;
		case LAB_ACT_USE: use(&r, i); break;
		case LAB_ACT_FORK: fork_copy(&r, i); break;
		case LAB_ACT_EXIT:
		case LAB_ACT_EXEC: forget(&r, id); break;
		case LAB_ACT_VM_EXIT: counts->vm_exits++; break;
		}
	}
}

/* The oracle of a scenario on its own: the model's effects, no policy (kernel FPU
   is never refused). */
struct collector {
	struct lab_model model;
	unsigned n;
};

static void collect(void *self, const struct lab_effect *fx)
{
	struct collector *c = self;
	lab_action_append(&c->model, fx, &c->n);
}

int lab_oracle(const struct lab_scenario *s, struct lab_counts *counts)
{
	static struct collector c;
	int status = 0;

	lab_model_init(&c.model, s, &c, collect, 0);
	c.n = 0;
	for (unsigned step = 0; step < s->events && status == 0; step++)
		status = lab_model_step(&c.model, step);
	lab_oracle_solve(s, c.n, counts);
	return status;
}
