#include "cpu_reset.h"
#include "fpu_setup.h"
#include "vm/vm.h"
#include "arch/per_cpu.h"
#include "arch/trap.h"

void cpu_reset_after_abort(void)
{
	per_cpu_check_gs_base();  /* first: everything below is per CPU */
	vm_force_off();           /* before CR4: clearing CR4.VMXE in VMX operation is #GP */
	fpu_restore_baseline();
	trap_reset_after_abort();
}
