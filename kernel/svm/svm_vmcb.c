/* The VMCB (APM Vol. 2, 15.5 and Appendix B): intercepts, MSR permission map (15.11),
   ASID (15.16), nested paging (15.25), guest state copied from the host. */
#include "svm/svm.h"
#include "cpu_features.h"
#include "memory.h"
#include "arch/x86.h"

#define ATTRIBUTES_CODE64 0xa9bu    /* type 11, S, P; L, G */
#define ATTRIBUTES_DATA 0xc93u      /* type 3, S, P; D/B, G */
#define ATTRIBUTES_TSS_BUSY 0x8bu

#define MSRPM_C0000000_BITS (0x800 * 8)   /* MSRs C000_0000h..C000_1FFFh from byte 800h */

/* MSRPM (APM 15.11): two bits per MSR, read (1) then write (2); MSRs 0..1FFFh first. */
static void intercept_msr(uint8_t *map, uint32_t msr, unsigned read_write)
{
	uint32_t bit = msr >= 0xc0000000u ? MSRPM_C0000000_BITS + (msr - 0xc0000000u) * 2 : msr * 2;
	map[bit / 8] |= (uint8_t)(read_write << (bit % 8));
}

static void segment(struct svm_segment *s, uint16_t selector, uint64_t base, uint32_t limit,
		    uint16_t attributes)
{
	s->selector = selector;
	s->base = base;
	s->limit = limit;
	s->attributes = selector ? attributes : 0;
}

static void setup_control(struct vm_vcpu *vcpu, struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;
	uint64_t top;

	c->intercept_cr = INTERCEPT_CR0_WRITE;
	c->intercept_exceptions = ~(1u << 2);   /* every exception; NMI has its own intercept */
	c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_HLT |
			     INTERCEPT_MSR_PROT | INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_XSETBV;
	c->iopm_base = svm->iopm;
	c->msrpm_base = svm->msrpm;
	c->asid = 1;
	c->tlb_control = TLB_CONTROL_FLUSH_ALL;
	c->interrupt_control = V_INTR_MASKING;
	if (cpu_features()->svm.npt) {
		c->nested_control = NP_ENABLE;
		c->nested_cr3 = vm_identity_map(0, &top);
	}
}

static void setup_save(struct vm_vcpu *vcpu, struct vmcb_save *s, const struct vm_host_state *host)
{
	segment(&s->es, host->es, 0, 0xffffffffu, ATTRIBUTES_DATA);
	segment(&s->cs, host->cs, 0, 0xffffffffu, ATTRIBUTES_CODE64);
	segment(&s->ss, host->ss, 0, 0xffffffffu, ATTRIBUTES_DATA);
	segment(&s->ds, host->ds, 0, 0xffffffffu, ATTRIBUTES_DATA);
	segment(&s->fs, host->fs, host->fs_base, 0xffffffffu, ATTRIBUTES_DATA);
	segment(&s->gs, host->gs, host->gs_base, 0xffffffffu, ATTRIBUTES_DATA);
	segment(&s->tr, host->tr, host->tr_base, host->tr_limit, ATTRIBUTES_TSS_BUSY);
	s->gdtr.base = host->gdtr_base;
	s->gdtr.limit = host->gdtr_limit;
	s->idtr.base = host->idtr_base;
	s->idtr.limit = host->idtr_limit;
	s->cpl = 0;
	s->efer = host->efer;
	s->cr0 = host->cr0;
	s->cr3 = host->cr3;
	s->cr4 = host->cr4;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = 0x2;   /* IF=0 */
	s->rip = (uint64_t)(uintptr_t)svm_guest_trampoline;
	s->rsp = vcpu->stack_top;
	s->g_pat = host->pat;
}

int svm_vmcb_setup(struct vm_vcpu *vcpu, char *reason)
{
	struct svm_vcpu *svm = vcpu->arch;
	struct vm_host_state host;

	svm->vmcb = (struct vmcb *)(uintptr_t)memory_alloc_pages(1);
	svm->msrpm = memory_alloc_pages(2);
	svm->iopm = memory_alloc_pages(3);
	intercept_msr((uint8_t *)(uintptr_t)svm->msrpm, MSR_IA32_XFD, 3);
	intercept_msr((uint8_t *)(uintptr_t)svm->msrpm, MSR_IA32_XFD_ERR, 3);
	/* VMRUN saves and #VMEXIT reloads the host's ES, CS, SS and DS, not FS or GS (only
	   VMLOAD and VMSAVE move those, APM 15.5): the guest runs on the host's GS base,
	   and a write to it would leave the host's per-CPU pointer changed. */
	intercept_msr((uint8_t *)(uintptr_t)svm->msrpm, MSR_GS_BASE, 2);
	intercept_msr((uint8_t *)(uintptr_t)svm->msrpm, MSR_KERNEL_GS_BASE, 2);
	vm_host_state_read(&host);
	setup_control(vcpu, svm);
	setup_save(vcpu, &svm->vmcb->save, &host);
	return 0;
}
