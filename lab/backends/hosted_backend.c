/* The hosted backend (build/host/fpulab-host, Linux user mode): real XSAVE, XSAVEOPT or XSAVEC and XRSTOR on
   the host CPU's registers through lab/backends/xsave_fpu.c. Ring 3 cannot write CR0
   or the XFD MSRs, and there is no guest: CR0.TS, XFD and the VM transitions stay
   simulated, and the record says so. */
#include "lab/backends/platform.h"
#include "lab/backends/xsave_fpu.h"

static struct lab_xsave_fpu hosted_fpu = {
	.name = "hosted",
	.ts_mode = "simulated",
	.xfd_mode = "simulated",
	.xfd_why = "user mode cannot write IA32_XFD",
	.vm_mode = "simulated",
	.cpus_why = "the hosted backend runs in one thread",
};

static int hosted_open(struct lab_fpu_backend *backend, char *why, size_t size)
{
	if (lab_xsave_fpu_open(&hosted_fpu, why, size) != 0)
		return -1;
	lab_xsave_fpu_backend(&hosted_fpu, backend);
	return 0;
}

static void hosted_close(struct lab_fpu_backend *backend)
{
	(void)backend;
}

static const char *hosted_xfd_missing(void)
{
	return hosted_fpu.xfd_why;
}

static const struct lab_platform_backend hosted = {
	.name = "hosted", .open = hosted_open, .close = hosted_close, .real_xfd_missing = hosted_xfd_missing,
};

const struct lab_platform_backend *lab_platform_backend(void)
{
	return &hosted;
}
