/* xfd-dynamic (Linux 5.17+, AMX): k2 plus dynamic XFD. The guest's XFD is part of the
   guest state and written before XRSTOR with it; guest XFD writes pass through after
   the first, and #NM is always intercepted so XFD_ERR is read with interrupts off and
   cleared (lab/engine.c, use()). The host side (first use: #NM with XFD_ERR, grow the
   buffer, disarm) is lab_xfd_nm. */
#include "lab/lab.h"

const struct lab_hv_ops lab_hv_xfd_dynamic = {
	.name = "xfd-dynamic", .run_enter = lab_k2_run_enter, .entry = lab_k2_entry,
	.run_return = lab_k2_run_return, .xfd_passthrough = true,
};
