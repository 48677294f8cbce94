/* The lab's FPU on real registers (docs/lab.md, "Backends"): the core shared by the
   hosted backend (Linux user mode) and the bare-metal one (the kernel). A context's
   buffer and its signal frames (one per handler level) are real XSAVE areas; save and restore are real XSAVE, XSAVEOPT or XSAVEC and XRSTOR;
   the workload writes each signature into the real registers by XRSTOR from a pattern
   area and checks it by XSAVE + compare. Components the CPU lacks stay simulated,
   exactly as lab/sim_fpu.c does them; so do AMX's, unless the platform gives real
   IA32_XFD (hw_write_xfd), since XFD acts on tile data only.
   Where the platform gives a second real CPU (metal), scenario CPU 1's operations run
   on it; otherwise the scenario's CPUs take turns on the one register file, switching
   between them by a full XSAVE/XRSTOR, neither counted nor timed. Not portable: runs
   XSAVE. */
#ifndef FPULAB_LAB_XSAVE_FPU_H
#define FPULAB_LAB_XSAVE_FPU_H

#include "lab/lab.h"

/* The scenarios real registers run: the shipped ones (docs/lab.md "Memory"). Their
   areas are real XSAVE areas, a few pages each. */
#define XSAVE_FPU_CONTEXTS 12
#define XSAVE_FPU_CPUS 2

struct lab_xsave_cpu {
	uint8_t *image;                  /* its registers while another CPU has the real ones */
	uint32_t shadow[LAB_COMPONENTS]; /* the simulated components */
	uint32_t shadow_inuse;
	uint32_t xfd, xfd_err, xcr0;
	uint8_t ts;                      /* simulated TS, or the real one saved while inactive */
};

struct lab_xsave_fpu {
	const char *name;                /* "hosted", "metal" */
	const char *ts_mode;             /* "simulated" or "cr0" */
	const char *xfd_mode;            /* "real", or "simulated" (why in xfd_why) */
	const char *xfd_why;
	const char *vm_mode;             /* "simulated" (why in vm_why), or a real guest: guest_run */
	const char *vm_why;
	const char *vm_hardware;         /* "vmx" or "svm" when guest_run is set */
	/* CR0.TS on the real CPU (metal); 0: simulated. */
	int (*hw_ts)(void);
	int (*hw_set_ts)(int on);        /* returns a fault vector or 0 */
	/* IA32_XFD and IA32_XFD_ERR of the CPU the code runs on (metal where XFD and AMX
	   work; else 0: XFD and AMX are simulated). Each returns a fault vector or 0. */
	int (*hw_write_xfd)(uint64_t value);
	int (*hw_read_xfd)(uint64_t *value);
	int (*hw_write_xfd_err)(uint64_t value);
	int (*hw_read_xfd_err)(uint64_t *value);
	/* A second real CPU (metal, when one answered; else 0): runs function(argument)
	   there and returns 0, or -1 with the problem set. */
	int (*run_on_second_cpu)(struct lab_xsave_fpu *f, void (*function)(void *), void *argument);
	const char *cpus_why;            /* why not, when run_on_second_cpu is 0 */
	/* set by lab_xsave_fpu_open */
	unsigned cpus, active;
	uint8_t two_cpus;                /* this run: scenario CPU 1 is the second real CPU */
	uint32_t second_cpu_operations;  /* run there (this run) */
	uint32_t guest_steps_moved;      /* CPU 1's guest steps run on CPU 0 (this run) */
	uint32_t second_cpu_guest_steps; /* CPU 1's guest steps in the second CPU's guest */
	uint32_t real;                   /* lab components on real registers */
	uint64_t hw_mask;                /* their XCR0 bits */
	uint8_t xinuse;                  /* XGETBV with ECX = 1 reads XINUSE (CPUID.(EAX=0DH,ECX=1):EAX[2]) */
	uint32_t area_pages;
	const char *save_instruction;    /* "xsavec", "xsaveopt" or "xsave" */
	int (*save_insn)(void *area, uint64_t mask);
	struct lab_xsave_cpu cpu[XSAVE_FPU_CPUS];
	/* frame[ctx][L - 1]: the signal frame of ctx's handler level L */
	uint8_t *buffer[XSAVE_FPU_CONTEXTS], *frame[XSAVE_FPU_CONTEXTS][LAB_SIGNAL_DEPTH];
	struct lab_sim_area shadow_buffer[XSAVE_FPU_CONTEXTS], shadow_frame[XSAVE_FPU_CONTEXTS][LAB_SIGNAL_DEPTH];
	uint8_t *scratch, *pattern, *init;
	uint8_t *xfd_probe;              /* tile data in use: the first use of an armed TILEDATA */
	uint32_t xfd_first_uses;         /* real XFD #NMs of the workload (this run) */
	uint32_t xfd_restore_traps;      /* XRSTORs that met an armed component in use (this run) */
	uint64_t save_cycles, restore_cycles;
	uint32_t timed_saves, timed_restores;
	char problem[96];
	/* metal with a real guest (else 0): runs the workload's XSAVE to scratch and
	   XRSTOR from pattern (mask) inside the guest, with the guest's CR0.TS = the lab's
	   TS; 0 done, 1 the guest took #NM (CR0.TS), 2 #NM from XFD (IA32_XFD_ERR set),
	   -1 a problem (set). */
	int (*guest_run)(struct lab_xsave_fpu *f, unsigned cpu, uint64_t mask);
	/* With two real CPUs: the second one has a guest of its own (guest_run runs there
	   for CPU 1), else CPU 1's guest steps move to the first CPU (why in
	   second_guest_why). */
	uint8_t second_cpu_guest;
	const char *second_guest_why;
	uint8_t in_guest[XSAVE_FPU_CPUS];
	uint32_t guest_steps;            /* workload steps run in the real guest (this run) */
	uint32_t guest_nm_exits;         /* of which took a real #NM exit first */
};

/* Allocates the areas and picks the save instruction; 0, or -1 with why. */
int lab_xsave_fpu_open(struct lab_xsave_fpu *fpu, char *why, size_t size);
/* Fills backend's table; fpu must be open. */
void lab_xsave_fpu_backend(struct lab_xsave_fpu *fpu, struct lab_fpu_backend *backend);

/* The areas (lab/backends/xsave_fpu_areas.c), for lab/backends/xsave_fpu.c. */
uint64_t xsave_fpu_hw_bits(struct lab_xsave_fpu *fpu, uint32_t lab_mask);      /* their XCR0 bits */
uint32_t xsave_fpu_lab_bits(struct lab_xsave_fpu *fpu, uint64_t xstate_bv);    /* real components set */
/* An area whose header marks every component init (XRSTOR loads init values). */
void xsave_fpu_area_reset(uint8_t *area);
/* The standard-format area's component c := the bytes signature stands for (0: init). */
void xsave_fpu_put_signature(struct lab_xsave_fpu *fpu, uint8_t *area, unsigned c, uint32_t signature);
/* Whether a standard-format XSAVE output holds signature in component c; *found: the
   signature its first word reads as (0 when init). */
int xsave_fpu_holds_signature(struct lab_xsave_fpu *fpu, uint8_t *area, unsigned c, uint32_t signature,
			      uint32_t *found);
/* The backend's fields of the `lab` record (self: the lab_xsave_fpu). */
void lab_xsave_fpu_record(void *self, struct json_writer *writer);

#endif
