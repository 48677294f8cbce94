/* fpulab-trace validate (docs/tracing.md "Validation"): the converted capture runs
   under the lab's model of the kernel that produced it (deferred loading, Linux 5.2+;
   K2, fpu_swap_kvm_fpstate, from 5.16, else K1), and every save and restore the model
   does is compared, step by step, with what Linux's tracepoints show there. Saves no
   event shows (kernel_fpu_begin's, the signal frame's, KVM's swap of the outgoing
   state) and restores explained only by assumed kernel FPU use are listed as
   unverifiable, never counted as matches; so are steps before the capture shows the
   state they start from. */
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

/* What the model did at each step. */
struct prediction {
	uint8_t saves, restores, copies, hidden_saves;
};

struct observer_state {
	const struct lab_scenario *scenario;
	struct prediction *at;
	unsigned steps;
	unsigned hidden_by_effect[LAB_FX_TYPES];
};

static void on_op(void *self, unsigned step, unsigned effect, unsigned op, unsigned ctx)
{
	struct observer_state *o = self;
	struct prediction *p;

	if (step >= o->steps || o->scenario->context[ctx].kind == LAB_GUEST_USER ||
	    o->scenario->context[ctx].kind == LAB_GUEST_IDLE)
		return;   /* the guest kernel's own, inside the guest: no host event shows them */
	p = &o->at[step];
	if (op == LAB_OP_SAVE && effect == LAB_FX_SWITCH)
		p->saves++;
	else if (op == LAB_OP_SAVE && effect == LAB_FX_FORK)
		p->copies++;
	else if (op == LAB_OP_SAVE || op == LAB_OP_FRAME_SAVE) {
		p->hidden_saves++;
		o->hidden_by_effect[effect]++;
	} else
		p->restores++;
}

const struct lab_config *trace_kernel_model(const struct trace_capture *c, char *why, size_t size)
{
	unsigned version = trace_kernel_version(c);

	if (!version) {
		snprintf(why, size, "the capture does not say which kernel made it; assuming Linux 5.16 or later");
		return lab_config_find("deferred+k2-single-swap-buffer");
	}
	if (version < 502) {
		snprintf(why, size, "Linux %s: before 5.2 the FPU was switched lazily or eagerly; the lab has no "
			 "validated model for it", c->kernel);
		return 0;
	}
	snprintf(why, size, "Linux %s: deferred loading (5.2+), %s", c->kernel,
		 version >= 516 ? "KVM's single swap buffer (K2, 5.16+)" : "KVM's swap at KVM_RUN (K1, 5.2 to 5.15)");
	return lab_config_find(version >= 516 ? "deferred+k2-single-swap-buffer" : "deferred+k1-swap-at-run");
}

struct tally {
	unsigned model_saves, linux_saves, model_restores, linux_restores, model_copies, linux_copies;
	unsigned steps, matched, mismatched, unverifiable;
};

static int differs(const struct prediction *p, const struct trace_step *s)
{
	return p->saves != s->saves || p->restores != s->restores || p->copies != s->copies;
}

static void count(struct tally *t, const struct prediction *p, const struct trace_step *s)
{
	t->model_saves += p->saves;
	t->linux_saves += s->saves;
	t->model_restores += p->restores;
	t->linux_restores += s->restores;
	t->model_copies += p->copies;
	t->linux_copies += s->copies;
	if (!p->saves && !p->restores && !p->copies && !s->saves && !s->restores && !s->copies)
		return;
	t->steps++;
	if (s->unknown || s->inferred)
		t->unverifiable++;
	else if (differs(p, s))
		t->mismatched++;
	else
		t->matched++;
}

static void print_mismatch(const struct trace_capture *c, const struct trace_conversion *cv,
			   const struct prediction *p, unsigned i, FILE *out)
{
	const struct trace_step *s = &cv->step[i];
	char event[160], line[512];

	lab_event_format(&cv->scenario, &cv->scenario.event[i], event, sizeof event);
	fprintf(out, "# mismatch at step %u (%s, %s): model %u save%s %u restore%s %u cop%s, Linux %u %u %u\n", i, event,
		trace_class_name(s->class), p->saves, p->saves == 1 ? "" : "s", p->restores, p->restores == 1 ? "" : "s",
		p->copies, p->copies == 1 ? "y" : "ies", s->saves, s->restores, s->copies);
	if (s->line)
		fprintf(out, "#   trace line %u: %s\n", s->line, trace_line(c, s->line, line, sizeof line));
	if (s->fpu_line && s->fpu_line != s->line)
		fprintf(out, "#   trace line %u: %s\n", s->fpu_line, trace_line(c, s->fpu_line, line, sizeof line));
}

static void print_table(const struct tally *t, FILE *out)
{
	struct tally all = { 0 };

	fprintf(out, "# %-17s %11s %11s %14s %14s %6s %7s %10s %12s\n", "validate: class", "model saves",
		"Linux saves", "model restores", "Linux restores", "steps", "matched", "mismatched", "unverifiable");
	for (unsigned k = 0; k < CLASS_COUNT; k++) {
		const struct tally *x = &t[k];
		fprintf(out, "# %-17s %11u %11u %14u %14u %6u %7u %10u %12u\n", trace_class_name(k),
			x->model_saves + x->model_copies, x->linux_saves + x->linux_copies, x->model_restores,
			x->linux_restores, x->steps, x->matched, x->mismatched, x->unverifiable);
		all.model_saves += x->model_saves + x->model_copies;
		all.linux_saves += x->linux_saves + x->linux_copies;
		all.model_restores += x->model_restores;
		all.linux_restores += x->linux_restores;
		all.steps += x->steps;
		all.matched += x->matched;
		all.mismatched += x->mismatched;
		all.unverifiable += x->unverifiable;
	}
	fprintf(out, "# %-17s %11u %11u %14u %14u %6u %7u %10u %12u\n", "all", all.model_saves, all.linux_saves,
		all.model_restores, all.linux_restores, all.steps, all.matched, all.mismatched, all.unverifiable);
}

static void print_unverifiable(const struct trace_capture *c, const struct trace_conversion *cv,
			       const struct observer_state *o, const struct tally *t, FILE *out)
{
	unsigned unknown = 0, inferred = 0;

	for (unsigned i = 0; i < cv->scenario.events; i++) {
		unknown += cv->step[i].unknown && !cv->step[i].inferred;
		inferred += cv->step[i].inferred;
	}
	(void)t;
	fprintf(out, "# unverifiable (no event shows them, never counted as matches):\n");
	fprintf(out, "#   kernel_fpu_begin saves (model): %u\n", o->hidden_by_effect[LAB_FX_KFPU_BEGIN]);
	fprintf(out, "#   signal-frame saves (model): %u\n", o->hidden_by_effect[LAB_FX_SIGNAL]);
	fprintf(out, "#   KVM saves of the outgoing state (model): %u\n",
		o->hidden_by_effect[LAB_FX_KVM_RUN] + o->hidden_by_effect[LAB_FX_KVM_RETURN] +
		o->hidden_by_effect[LAB_FX_VM_ENTRY] + o->hidden_by_effect[LAB_FX_SCHED_OUT]);
	fprintf(out, "#   steps explained only by assumed kernel FPU use or returns: %u (kernel FPU %u times, a return "
		"told by its save %u times)\n", inferred, cv->inferred_kernel_fpu, cv->inferred_returns);
	fprintf(out, "#   steps before the capture shows their starting state: %u\n", unknown);
	fprintf(out, "#   x86_fpu events that fit no step (a reason that cannot be told): %u", cv->unexplained);
	if (cv->unexplained) {
		char line[512];
		fprintf(out, ", first at trace line %u: %s", cv->first_unexplained,
			trace_line(c, cv->first_unexplained, line, sizeof line));
	}
	fprintf(out, "\n");
}

int trace_validate(const struct trace_capture *c, const struct trace_conversion *cv, const struct lab_config *mutant,
		   FILE *out)
{
	static struct lab_machine machine;
	struct lab_sim_fpu sim;
	struct lab_fpu_backend backend;
	struct lab_result result;
	struct lab_observer observer;
	struct observer_state state = { 0 };
	struct tally tally[CLASS_COUNT] = { { 0 } };
	const struct lab_config *model;
	unsigned mismatches = 0;
	char why[200];
	int status;

	model = trace_kernel_model(c, why, sizeof why);
	fprintf(out, "# validate: %s (%s)\n", c->source, why);
	if (mutant)
		fprintf(out, "# validate: the kernel's model replaced by the mutant %s (%s)\n", mutant->name, mutant->why);
	if (!(model = mutant ? mutant : model))
		return 1;
	state.steps = cv->scenario.events;
	state.scenario = &cv->scenario;
	state.at = calloc(state.steps + 1, sizeof *state.at);
	if (!state.at)
		return fprintf(out, "# validate: out of memory\n"), 1;
	observer.self = &state;
	observer.op = on_op;
	lab_sim_fpu_backend(&sim, &backend, &cv->storage);
	status = lab_run_observed(model, &cv->scenario, &backend, &machine, &result, &observer);
	fprintf(out, "# validate: model %s over %zu trace events, %u scenario events\n", model->name, c->records,
		cv->scenario.events);
	if (status != 0)
		fprintf(out, "# validate: the model could not run the scenario: %s\n", result.error);
	for (unsigned i = 0; i < cv->scenario.events; i++) {
		const struct trace_step *s = &cv->step[i];
		count(&tally[s->class < CLASS_COUNT ? s->class : CLASS_SWITCH], &state.at[i], s);
		if (!s->unknown && !s->inferred && differs(&state.at[i], s) && mismatches++ < 5)
			print_mismatch(c, cv, &state.at[i], i, out);
	}
	print_table(tally, out);
	print_unverifiable(c, cv, &state, tally, out);
	if (cv->unsupported) {
		char line[512];
		fprintf(out, "# validate: %u events the lab cannot model (a fifth nested signal handler, a second vCPU, ...), first at "
			"trace line %u: %s\n", cv->unsupported, cv->first_unsupported,
			trace_line(c, cv->first_unsupported, line, sizeof line));
	}
	if (result.corrupted)
		fprintf(out, "# validate: the model corrupted %s's %s at scenario line %u\n", result.first_context,
			lab_component_name(result.first.component), (unsigned)result.first.line);
	if (c->lost)
		fprintf(out, "# validate: %llu events were lost while recording: never an exact match\n", c->lost);
	free(state.at);
	status = status != 0 || mismatches || cv->unsupported || c->lost || result.corrupted;
	fprintf(out, "# validate: %s (%u mismatching steps)\n", status ? "NOT an exact match" : "exact match", mismatches);
	return status;
}
