/* The lab's modelled cost (docs/lab.md "Cost"): what a run counts and the weights it
   is costed with, from the defaults or this run's benchmarks. Portable. */
#ifndef FPULAB_LAB_COST_H
#define FPULAB_LAB_COST_H

#include <stdint.h>

struct lab_cost_weights {          /* cycles; defaults in lab_default_weights */
	uint32_t save_base, restore_base;  /* per XSAVE/XRSTOR instruction */
	uint32_t per_64_bytes;             /* per 64 bytes moved */
	uint32_t nm_trap, cr0_write, msr_write, xsetbv, vm_exit, ipi;
};
extern const struct lab_cost_weights lab_default_weights;
/* The weights lab_run costs with: lab_default_weights until lab_weights_use. */
const struct lab_cost_weights *lab_weights(void);
void lab_weights_use(const struct lab_cost_weights *weights);   /* 0: the defaults again */
enum lab_weight_index {
	LAB_WEIGHT_SAVE, LAB_WEIGHT_RESTORE, LAB_WEIGHT_PER_64_BYTES, LAB_WEIGHT_NM, LAB_WEIGHT_CR0,
	LAB_WEIGHT_MSR, LAB_WEIGHT_XSETBV, LAB_WEIGHT_VM_EXIT, LAB_WEIGHT_IPI, LAB_WEIGHTS
};
/* The weights' names in a `weights` record (docs/output.md), by index. */
extern const char *const lab_weight_names[LAB_WEIGHTS];
uint32_t *lab_weight_at(struct lab_cost_weights *weights, unsigned index);
struct lab_weight_sources {
	const char *from[LAB_WEIGHTS];     /* the benchmark a weight came from; 0: default */
	unsigned measured;
};
/* Finds the median of this run's `bench` record name: 0, or -1 when it did not run. */
typedef int (*lab_median_lookup)(const char *name, int64_t *p50_hundredths, uint32_t *bytes);
/* Weights from the measured medians (the defaults where a benchmark is missing);
   returns how many weights were measured. */
unsigned lab_weights_measured(lab_median_lookup lookup, struct lab_cost_weights *weights,
			      struct lab_weight_sources *sources);

struct lab_counts {
	uint32_t saves, restores, bytes_saved, bytes_restored, nm_traps, cr0_writes, xfd_writes,
		xsetbv, vm_exits, ipis;
	uint32_t frame_copies, bytes_copied;   /* signal frames written from memory, not registers */
};
uint64_t lab_cost(const struct lab_counts *counts, const struct lab_cost_weights *weights);
/* The same cost by what it pays for; lab_cost is their sum. */
enum lab_cost_part {
	LAB_PART_OPERATIONS,   /* saves and restores, each at its base weight */
	LAB_PART_BYTES, LAB_PART_NM, LAB_PART_CR0, LAB_PART_MSR, LAB_PART_XSETBV, LAB_PART_VM_EXITS,
	LAB_PART_IPIS, LAB_COST_PARTS
};
extern const char *const lab_cost_part_names[LAB_COST_PARTS];
void lab_cost_parts(const struct lab_counts *counts, const struct lab_cost_weights *weights,
		    int64_t part[LAB_COST_PARTS]);
/* parts (one cost's, or a difference of two) as "operations +1400, bytes +236, ...":
   the non-zero ones, signed; "nothing" when all are zero. */
void lab_cost_parts_text(const int64_t part[LAB_COST_PARTS], char *text, unsigned size);

#endif
