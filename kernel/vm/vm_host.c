/* The host state both implementations copy into their guests: selectors, the TSS
   (its base and limit from the GDT descriptor, SDM Vol. 3A 8.2.3), descriptor tables,
   control registers. */
#include "vm/vm.h"
#include "arch/x86.h"

struct __attribute__((packed)) table_pointer {
	uint16_t limit;
	uint64_t base;
};

#define READ_SELECTOR(reg, out) __asm__ volatile("mov %%" reg ", %0" : "=r"(out))

void vm_host_state_read(struct vm_host_state *host)
{
	struct table_pointer gdtr, idtr;
	uint64_t low, high;
	uint16_t tr;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	__asm__ volatile("str %0" : "=r"(tr));
	READ_SELECTOR("es", host->es);
	READ_SELECTOR("fs", host->fs);
	READ_SELECTOR("gs", host->gs);
	host->cs = read_cs();
	host->ss = read_ss();
	host->ds = read_ds();
	host->tr = tr;
	host->gdtr_base = gdtr.base;
	host->gdtr_limit = gdtr.limit;
	host->idtr_base = idtr.base;
	host->idtr_limit = idtr.limit;
	low = ((uint64_t *)(uintptr_t)gdtr.base)[tr >> 3];
	high = ((uint64_t *)(uintptr_t)gdtr.base)[(tr >> 3) + 1];
	host->tr_base = ((low >> 16) & 0xffffff) | (((low >> 56) & 0xff) << 24) | (high << 32);
	host->tr_limit = (uint32_t)((low & 0xffff) | (((low >> 48) & 0xf) << 16));
	host->fs_base = rdmsr(MSR_FS_BASE);
	host->gs_base = rdmsr(MSR_GS_BASE);
	host->cr0 = read_cr0();
	host->cr3 = read_cr3();
	host->cr4 = read_cr4();
	host->efer = rdmsr(MSR_EFER);
	host->pat = rdmsr(MSR_IA32_PAT);
}
