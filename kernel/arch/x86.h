/* Single x86 instructions as inline functions. None of them touches vector state. */
#ifndef FPULAB_X86_H
#define FPULAB_X86_H

#include <stdint.h>

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

#define CR4_PAE        (1ull << 5)
#define CR4_PGE        (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_VMXE       (1ull << 13)
#define CR4_OSXSAVE    (1ull << 18)
#define CPUID1_ECX_OSXSAVE (1u << 27)   /* CR4.OSXSAVE as CPUID.1:ECX[27] shows it */
#define CR4_PKE        (1ull << 22)

#define RFLAGS_IF (1ull << 9)

#define MSR_IA32_APIC_BASE     0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_BIOS_SIGN_ID  0x8b
#define MSR_IA32_VMX_BASIC     0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_XSS           0xda0
#define MSR_IA32_XFD           0x1c4
#define MSR_IA32_XFD_ERR       0x1c5
#define MSR_EFER               0xc0000080
#define EFER_LME               (1ull << 8)
#define EFER_SVME              (1ull << 12)
#define MSR_FS_BASE            0xc0000100
#define MSR_GS_BASE            0xc0000101
#define MSR_KERNEL_GS_BASE     0xc0000102
#define MSR_IA32_PAT           0x277
#define MSR_VM_CR              0xc0010114

struct cpuid_result {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_result r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t low, high;
	__asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
	return ((uint64_t)high << 32) | low;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
}

#define DEFINE_CONTROL_REGISTER(n)                                              \
	static inline uint64_t read_cr##n(void)                                 \
	{                                                                       \
		uint64_t value;                                                 \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(value));           \
		return value;                                                   \
	}                                                                       \
	static inline void write_cr##n(uint64_t value)                          \
	{                                                                       \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(value) : "memory");  \
	}
DEFINE_CONTROL_REGISTER(0)
DEFINE_CONTROL_REGISTER(2)
DEFINE_CONTROL_REGISTER(3)
DEFINE_CONTROL_REGISTER(4)
#undef DEFINE_CONTROL_REGISTER

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t low, high;
	__asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(index));
	return ((uint64_t)high << 32) | low;
}

static inline void xsetbv(uint32_t index, uint64_t value)
{
	__asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
}

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline uint64_t rdtsc(void)
{
	uint32_t low, high;
	__asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
	return ((uint64_t)high << 32) | low;
}

/* RDTSC ordered with the code around it: LFENCE before waits for earlier instructions
   to complete, LFENCE after keeps later ones from starting before the read (SDM Vol.
   2B, RDTSC). For timing windows outside the harness's asm bodies. */
static inline uint64_t rdtsc_fenced(void)
{
	uint64_t now;
	__asm__ volatile("lfence" ::: "memory");
	now = rdtsc();
	__asm__ volatile("lfence" ::: "memory");
	return now;
}

static inline uint64_t read_rflags(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags;
}

static inline void interrupts_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void interrupts_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause"); }
static inline void cpu_halt(void) { __asm__ volatile("hlt"); }

static inline uint64_t interrupts_save_disable(void)
{
	uint64_t flags = read_rflags();
	interrupts_disable();
	return flags;
}

static inline void interrupts_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		interrupts_enable();
}

static inline uint16_t read_cs(void)
{
	uint16_t selector;
	__asm__ volatile("mov %%cs, %0" : "=r"(selector));
	return selector;
}

/* The current privilege level is CS.RPL (SDM Vol. 3A, 5.5): 3 in the hosted build. */
static inline unsigned current_privilege_level(void)
{
	return read_cs() & 3;
}

/* The SKIP reason of a test whose instruction needs CPL 0, outside ring 0. */
#define RING0_ONLY_REASON(instruction) instruction " needs CPL0: not available in a Linux process"

static inline uint16_t read_ds(void)
{
	uint16_t selector;
	__asm__ volatile("mov %%ds, %0" : "=r"(selector));
	return selector;
}

static inline uint16_t read_ss(void)
{
	uint16_t selector;
	__asm__ volatile("mov %%ss, %0" : "=r"(selector));
	return selector;
}

static inline volatile uint32_t *mmio32(uint64_t address)
{
	return (volatile uint32_t *)(uintptr_t)address;
}

#endif
