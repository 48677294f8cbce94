/* The modelled cost's weights from the primitives this run measured (docs/lab.md,
   "Cost"): each weight is the median of the `bench` record that times that primitive,
   in clock ticks; a weight whose benchmark did not run keeps its documented default. */
#include "lab/lab.h"
#include "lib/string.h"

static struct lab_cost_weights active_weights;
static int weights_set;

const struct lab_cost_weights *lab_weights(void)
{
	return weights_set ? &active_weights : &lab_default_weights;
}

void lab_weights_use(const struct lab_cost_weights *weights)
{
	weights_set = weights != 0;
	if (weights)
		active_weights = *weights;
}

const char *const lab_weight_names[LAB_WEIGHTS] = {
	"save", "restore", "per_64_bytes", "nm_trap", "cr0_write", "msr_write", "xsetbv", "vm_exit", "ipi",
};

uint32_t *lab_weight_at(struct lab_cost_weights *w, unsigned index)
{
	uint32_t *const fields[LAB_WEIGHTS] = {
		&w->save_base, &w->restore_base, &w->per_64_bytes, &w->nm_trap, &w->cr0_write,
		&w->msr_write, &w->xsetbv, &w->vm_exit, &w->ipi,
	};
	return index < LAB_WEIGHTS ? fields[index] : 0;
}

static uint32_t ticks(int64_t hundredths)
{
	return hundredths <= 0 ? 0 : (uint32_t)((hundredths + 50) / 100);
}

static int found(lab_median_lookup lookup, const char *name, int64_t *p50, uint32_t *bytes)
{
	uint32_t unused;
	return lookup(name, p50, bytes ? bytes : &unused) == 0;
}

/* One weight: its value and the benchmark (or rule) it came from. */
static void set(struct lab_weight_sources *sources, unsigned index, uint32_t *weight, uint32_t value,
		const char *from)
{
	*weight = value;
	sources->from[index] = from;
	sources->measured++;
}

unsigned lab_weights_measured(lab_median_lookup lookup, struct lab_cost_weights *w,
			      struct lab_weight_sources *sources)
{
	int64_t save, restore, save_all, restore_all, pair, round_trip, value;
	uint32_t bytes, bytes_all;

	*w = lab_default_weights;
	memset(sources, 0, sizeof *sources);
	if (found(lookup, "xsave/xsaveopt/x87-sse/modified", &save, &bytes))
		set(sources, LAB_WEIGHT_SAVE, &w->save_base, ticks(save), "xsave/xsaveopt/x87-sse/modified");
	if (found(lookup, "xsave/xrstor/x87-sse/in-use", &restore, 0))
		set(sources, LAB_WEIGHT_RESTORE, &w->restore_base, ticks(restore), "xsave/xrstor/x87-sse/in-use");
	/* per 64 bytes: what the largest set adds over x87+SSE, saving and restoring */
	if (sources->from[LAB_WEIGHT_SAVE] && sources->from[LAB_WEIGHT_RESTORE] &&
	    found(lookup, "xsave/xsaveopt/all/modified", &save_all, &bytes_all) &&
	    found(lookup, "xsave/xrstor/all/in-use", &restore_all, 0) && bytes_all >= bytes + 64)
		set(sources, LAB_WEIGHT_PER_64_BYTES, &w->per_64_bytes,
		    ticks((save_all - save + restore_all - restore) / 2 * 64 / (bytes_all - bytes)),
		    "xsave/xsaveopt/all/modified and xsave/xrstor/all/in-use over x87-sse");
	if (found(lookup, "xsave/cr0-ts-set-and-clts", &pair, 0))
		set(sources, LAB_WEIGHT_CR0, &w->cr0_write, ticks(pair / 2), "xsave/cr0-ts-set-and-clts / 2");
	/* the round trip holds two CR0 writes: the one that sets TS and the handler's */
	if (sources->from[LAB_WEIGHT_CR0] && found(lookup, "xsave/nm-round-trip", &round_trip, 0)) {
		value = round_trip - pair;
		set(sources, LAB_WEIGHT_NM, &w->nm_trap, ticks(value > 100 ? value : 100),
		    "xsave/nm-round-trip - 2 CR0 writes");
	}
	if (found(lookup, "xsave/xsetbv-same-value", &value, 0))
		set(sources, LAB_WEIGHT_XSETBV, &w->xsetbv, ticks(value), "xsave/xsetbv-same-value");
	if (found(lookup, "xfd/wrmsr-xfd-same-value", &value, 0))
		set(sources, LAB_WEIGHT_MSR, &w->msr_write, ticks(value), "xfd/wrmsr-xfd-same-value");
	if (found(lookup, "vm/bench/hypercall", &value, 0))
		set(sources, LAB_WEIGHT_VM_EXIT, &w->vm_exit, ticks(value), "vm/bench/hypercall");
	if (found(lookup, "smp/ipi-round-trip", &value, 0))
		set(sources, LAB_WEIGHT_IPI, &w->ipi, ticks(value), "smp/ipi-round-trip");
	return sources->measured;
}
