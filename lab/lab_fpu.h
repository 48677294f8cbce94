/* The lab's FPU backends (docs/lab.md "The simulated FPU", "Backends on real
   registers"): the operations policies reach the registers through, and the exact
   simulated FPU. Portable. */
#ifndef FPULAB_LAB_FPU_H
#define FPULAB_LAB_FPU_H

#include "lab/lab_scenario.h"

struct json_writer;
/* What the workload's check found (lab_fpu_backend.execute). */
struct lab_check {
	uint32_t mismatch;                 /* components that did not hold the expected signature */
	uint32_t found[LAB_COMPONENTS];    /* what they held instead (0: init) */
};

struct lab_fpu_backend {
	const char *name;
	void *self;
	void (*reset)(void *self, unsigned cpus);
	/* XSAVE-like: the registers of cpu (mask: requested-feature bitmap) to ctx's buffer
	   (frame = L > 0: to the signal frame of ctx's handler level L, nested handlers
	   having frames 2 to LAB_SIGNAL_DEPTH). Returns the bytes written. */
	uint32_t (*save)(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask);
	/* XRSTOR-like: from ctx's buffer (or frame); components not saved there become init;
	   components armed in IA32_XFD stay init. Returns the bytes read. */
	uint32_t (*restore)(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask);
	/* Loads the init state for mask (XRSTOR with XSTATE_BV = 0). */
	void (*restore_init)(void *self, unsigned cpu, uint32_t mask);
	/* ctx's buffer (frame != 0: its signal frame) := the init state, in memory (exec;
	   a new signal frame, whose header Linux clears before the XSAVE). */
	void (*init_buffer)(void *self, unsigned ctx, int frame);
	/* Optional: ctx's signal frame of level frame := its buffer's components of mask,
	   converted to the standard format in memory (no register touched). Returns the
	   bytes copied. */
	uint32_t (*copy_to_frame)(void *self, unsigned ctx, int frame, uint32_t mask);
	void (*set_ts)(void *self, unsigned cpu);
	void (*clear_ts)(void *self, unsigned cpu);
	void (*write_xfd)(void *self, unsigned cpu, uint32_t xfd);
	void (*write_xfd_err)(void *self, unsigned cpu, uint32_t value);
	void (*xsetbv)(void *self, unsigned cpu, uint32_t xcr0);
	/* The workload: executes FP instructions on cpu touching mask. Returns 0, or
	   1 = #NM because CR0.TS, 2 = #NM because of XFD (XFD_ERR set). Nothing is
	   touched when it faults. On success each component in mask is compared with
	   expect[c] (a differing one: its bit in check->mismatch, the signature it held
	   in check->found[c]) and then overwritten with write[c]. */
	int (*execute)(void *self, unsigned cpu, uint32_t mask, const uint32_t *expect,
		       const uint32_t *write, struct lab_check *check);
	/* Kernel-mode FP code: overwrites mask with junk. */
	void (*clobber)(void *self, unsigned cpu, uint32_t mask, uint32_t junk);
	uint32_t (*read_xfd_err)(void *self, unsigned cpu);
	int (*ts)(void *self, unsigned cpu);
	/* Optional: the signature each component of cpu's registers holds, whatever TS
	   says (0: init, or armed in IA32_XFD); the exposure check reads it. */
	void (*peek)(void *self, unsigned cpu, uint32_t *values);
	/* Optional: the components of cpu's registers not in their init state (XINUSE, as
	   XGETBV with ECX = 1 reads it; armed in IA32_XFD reads as init). */
	uint32_t (*in_use)(void *self, unsigned cpu);
	/* Optional (0 in the simulated backend), for backends on real registers
	   (lab/backends/): measure: the scenario's `measure` (timers restart); finish: the
	   run is over (leave the CPU clean); problem: a hardware fault the run hit, or 0;
	   cycles: measured cycles since measure; record: the backend's fields of the
	   `lab` record. */
	void (*measure)(void *self);
	void (*finish)(void *self);
	const char *(*problem)(void *self);
	uint64_t (*cycles)(void *self);
	void (*record)(void *self, struct json_writer *writer);
	/* Optional: cpu's vCPU enters (1) or leaves (0) guest mode; the workload
	   (execute) runs in the guest meanwhile. */
	void (*guest_mode)(void *self, unsigned cpu, int in_guest);
};

/* The simulated FPU (lab/sim_fpu.c): exact, deterministic. */
struct lab_sim_cpu {
	uint32_t reg[LAB_COMPONENTS];   /* register contents: a 32-bit signature per component */
	uint32_t xinuse;                /* components not in their init state */
	uint32_t modified;              /* written since the last restore (XSAVEOPT's tracking) */
	uint32_t xfd, xfd_err, xcr0;
	uint8_t ts;
};
struct lab_sim_area {
	uint32_t value[LAB_COMPONENTS];
	uint32_t xstate_bv;
};
struct lab_sim_fpu {
	unsigned cpus, contexts;
	struct lab_sim_cpu cpu[LAB_MAX_CPUS];
	struct lab_sim_area *buffer;   /* [LAB_STATE_LEVELS * contexts] from the storage: buffers, then frames */
};
/* The simulated FPU for scenarios in storage (its areas). */
void lab_sim_fpu_backend(struct lab_sim_fpu *fpu, struct lab_fpu_backend *backend,
			 const struct lab_storage *storage);
uint32_t lab_component_size(unsigned component);
#define LAB_XSAVE_HEADER_BYTES 576u   /* legacy region + XSAVE header */
/* Bytes an XSAVEC-style save of components writes: the legacy region and header, then
   every extended component in use (init components are only marked in XSTATE_BV). */
uint32_t lab_area_bytes(uint32_t components);

#endif
