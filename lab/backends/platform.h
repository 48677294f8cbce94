/* The real FPU backend a build has (docs/lab.md, "Backends"): hosted in
   build/host/fpulab-host (lab/backends/hosted_backend.c), metal in the kernel
   (lab/backends/metal_backend.c), none in the host unit tests
   (tests/host/lab_runner_stub.c). lab/tests/lab_tests.c runs the matrix on it. */
#ifndef FPULAB_LAB_PLATFORM_H
#define FPULAB_LAB_PLATFORM_H

#include <stddef.h>

struct lab_fpu_backend;

struct lab_platform_backend {
	const char *name;     /* "hosted" or "metal": the `lab` record's backend */
	/* Fills backend (areas allocated for the current test); 0, or -1 with why. */
	int (*open)(struct lab_fpu_backend *backend, char *why, size_t size);
	/* After the test: the CPU as the runner expects it (CR0.TS clear). */
	void (*close)(struct lab_fpu_backend *backend);
	/* Why IA32_XFD is simulated on this backend, or 0 when it is the CPU's. */
	const char *(*real_xfd_missing)(void);
};

/* This build's real backend, or 0. */
const struct lab_platform_backend *lab_platform_backend(void);

#endif
