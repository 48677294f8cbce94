/* Starting the second CPU and handing it work (docs/smp.md). */
#include "smp/smp.h"
#include "vm/vm.h"
#include "cpu_reset.h"
#include "fpu_setup.h"
#include "guarded_call.h"
#include "memory.h"
#include "timekeeping.h"
#include "arch/apic.h"
#include "arch/cpu_tables.h"
#include "arch/per_cpu.h"
#include "arch/safe.h"
#include "arch/trap_frame.h"
#include "arch/x86.h"
#include "boot/boot_info.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/string.h"

#include <stdarg.h>
#include <stddef.h>

#define AP_START_BLOCK_OFFSET 0x800
#define START_TIMEOUT_MILLISECONDS 200
#define NMI_GRACE_MILLISECONDS 2000
#define NMI_INTERVAL_MILLISECONDS 100
#define PARK_TIMEOUT_MILLISECONDS 100
#define EFER_KEPT ((1ull << 0) | (1ull << 11))   /* SCE, NXE */

/* Filled by the BSP in the low page for ap_start.asm (offsets fixed there). */
struct __attribute__((packed)) ap_start_block {
	uint32_t cr3;
	volatile uint32_t stage;             /* 1 real, 2 protected, 3 long mode */
	uint64_t entry, stack_top, argument;
	volatile uint32_t ticket;
	uint32_t cr4;
	uint64_t efer;
	uint64_t gdt[4];                     /* null, code32 0x08, data 0x10, code64 0x18 */
	uint16_t gdtr_limit;
	uint32_t gdtr_base;
	uint16_t padding0;
	uint32_t far32_offset;
	uint16_t far32_selector, padding1;
	uint32_t far64_offset;
	uint16_t far64_selector, padding2;
};
_Static_assert(offsetof(struct ap_start_block, gdtr_limit) == 80, "ap_start.asm BLOCK_GDTR");
_Static_assert(offsetof(struct ap_start_block, far32_offset) == 88, "ap_start.asm BLOCK_FAR32");
_Static_assert(offsetof(struct ap_start_block, far64_offset) == 96, "ap_start.asm BLOCK_FAR64");

extern const uint8_t ap_start_code[], ap_start_code_end[];
extern const uint32_t ap_start_protected_offset, ap_start_long_offset;

static struct second_cpu {
	volatile uint32_t online;
	struct cpu_tables_ap tables;
	int x2apic;
	void (*volatile function)(void *);
	void *volatile argument;
	volatile uint64_t requested, completed;
	volatile int faulted;
	struct guarded_call call;
	volatile uint64_t pings;
	uint64_t deadline_nmis;              /* NMIs sent at a call's deadline */
	volatile int stopping, parked;       /* smp_stop: NMI, leave VMX/SVM, halt */
} second;

static const char *unavailable_reason = "not started";
static char unavailable_text[128];
static int lost;

const char *smp_unavailable(void)
{
	return second.online && !lost ? 0 : unavailable_reason;
}

uint32_t smp_second_cpu_apic_id(void)
{
	return per_cpu_of(1)->apic_id;
}

uint64_t smp_pings_received(void)
{
	return second.pings;
}

const char *smp_fault_reason(void)
{
	return second.call.reason;
}

const char *smp_fault_dump(void)
{
	return second.call.dump;
}

/* ---- on the second CPU ---- */

/* smp_stop's NMI: leave VMX or SVM (INIT, which comes next, is blocked in VMX root
   operation) and halt. Any other NMI is a call-deadline NMI outside a guest: nothing
   to do (inside a guest, vm_run sees it as an NMI exit). */
static int second_cpu_nmi(struct trap_frame *frame)
{
	(void)frame;
	if (!second.stopping)
		return 1;
	vm_force_off();
	second.parked = 1;
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void second_cpu_interrupt(struct trap_frame *frame)
{
	if (frame->vector == SMP_PING_VECTOR)
		second.pings++;
	if (frame->vector != APIC_SPURIOUS_VECTOR)   /* a spurious interrupt takes no EOI */
		apic_end_of_interrupt();
}

/* Its own per-CPU area first (every trap reads it), then its tables, then the first
   CPU's CR0, CR4, XCR0, IA32_XSS and FPU registers, as the reset after an aborted
   call puts them back (fpu_restore_baseline). */
static void become_like_the_bsp(void)
{
	struct per_cpu *cpu;

	per_cpu_start(1);
	cpu = this_cpu();
	cpu->nmi_hook = second_cpu_nmi;
	cpu->interrupt_hook = second_cpu_interrupt;
	cpu_tables_load_ap(&second.tables);
	fpu_restore_baseline();
	apic_enable_this_cpu(second.x2apic);
	per_cpu_set_apic_id(apic_id());
}

/* HLT with interrupts on until a call is posted; the SMP_WAKE_VECTOR IPI ends the HLT
   (STI's one-instruction shadow covers the HLT, so no wake-up is missed). */
static void wait_for_work(void)
{
	interrupts_disable();
	while (second.requested == second.completed)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

__attribute__((noreturn)) static void second_cpu_main(void *unused)
{
	(void)unused;
	become_like_the_bsp();
	__atomic_store_n(&second.online, 1, __ATOMIC_RELEASE);   /* after apic_id and the rest */
	for (;;) {
		wait_for_work();
		second.faulted = guarded_call_run(&second.call, "second CPU", second.function, second.argument);
		interrupts_disable();
		if (second.faulted)
			cpu_reset_after_abort();   /* as the first CPU's runner does */
		__atomic_store_n(&second.completed, second.requested, __ATOMIC_RELEASE);
	}
}

/* ---- on the BSP ---- */

static void wait_microseconds(uint64_t microseconds)
{
	uint64_t end = rdtsc() + tsc_hz() / 1000000 * microseconds;
	while (rdtsc() < end)
		cpu_pause();
}

static void fill_start_block(struct ap_start_block *block, uint64_t page)
{
	block->cr3 = (uint32_t)read_cr3();
	block->entry = (uint64_t)(uintptr_t)second_cpu_main;
	block->stack_top = second.tables.stack_base + AP_STACKS * AP_STACK_BYTES;
	block->cr4 = (uint32_t)(CR4_PAE | (read_cr4() & CR4_PGE));
	block->efer = (rdmsr(MSR_EFER) & EFER_KEPT) | EFER_LME;
	block->gdt[1] = DESCRIPTOR_CODE32;
	block->gdt[2] = DESCRIPTOR_DATA;
	block->gdt[3] = DESCRIPTOR_CODE64;
	block->gdtr_limit = sizeof block->gdt - 1;
	block->gdtr_base = (uint32_t)(page + AP_START_BLOCK_OFFSET + offsetof(struct ap_start_block, gdt));
	block->far32_offset = (uint32_t)(page + ap_start_protected_offset);
	block->far32_selector = 0x08;
	block->far64_offset = (uint32_t)(page + ap_start_long_offset);
	block->far64_selector = 0x18;
}

static void give_up(const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	format_string_va(unavailable_text, sizeof unavailable_text, format, arguments);
	va_end(arguments);
	unavailable_reason = unavailable_text;
}

/* SDM Vol. 3A, 9.4.4.1: INIT, 10 ms, STARTUP, 200 us, STARTUP, to every other CPU;
   only the first to arrive stays (ap_start.asm). */
void smp_init(const struct boot_info *boot)
{
	uint64_t page = boot->low_page, deadline;
	struct ap_start_block *block;

	if (!apic_present())
		return give_up("no local APIC");
	if (!page)
		return give_up("the boot path found no free page below 1 MiB for the start-up code");
	if (read_cr3() >> 32)
		return give_up("the page tables are above 4 GiB, out of reach of 32-bit start-up code");
	if ((uint64_t)(ap_start_code_end - ap_start_code) > AP_START_BLOCK_OFFSET)
		return give_up("start-up code larger than its page");
	second.tables.stack_base = memory_alloc_pages(AP_STACKS * AP_STACK_BYTES / PAGE_SIZE);
	cpu_tables_build_for_ap(&second.tables);
	second.x2apic = apic_x2apic_mode();
	per_cpu_set_apic_id(apic_id());   /* the first CPU's, before the second one's is known */

	memcpy((void *)(uintptr_t)page, ap_start_code, (size_t)(ap_start_code_end - ap_start_code));
	block = (struct ap_start_block *)(uintptr_t)(page + AP_START_BLOCK_OFFSET);
	memset(block, 0, sizeof *block);
	fill_start_block(block, page);

	apic_send_init_sipi_others(ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
	wait_microseconds(10000);
	for (int i = 0; i < 2 && !second.online; i++) {
		apic_send_init_sipi_others(ICR_DELIVERY_STARTUP | (uint32_t)(page >> 12));
		wait_microseconds(200);
	}
	deadline = rdtsc() + milliseconds_to_tsc(START_TIMEOUT_MILLISECONDS);
	while (!second.online && rdtsc() < deadline)
		cpu_pause();
	if (second.online)
		return;
	if (!block->stage)
		return give_up("no second CPU answered INIT-SIPI-SIPI within %u ms", START_TIMEOUT_MILLISECONDS);
	give_up("a second CPU started but stopped at stage %u of 3 (1 real mode, 2 protected, 3 long mode)",
		block->stage);
}

int smp_post(void (*function)(void *), void *argument)
{
	if (smp_unavailable())
		return -1;
	/* A call still running (its waiter was aborted): its late completion must not pass
	   for this one's, so the CPU counts as lost. */
	if (__atomic_load_n(&second.completed, __ATOMIC_ACQUIRE) != second.requested) {
		lost = 1;
		unavailable_reason = "the second CPU was still running a call whose waiter was aborted";
		smp_stop();
		return -1;
	}
	second.function = function;
	second.argument = argument;
	__atomic_store_n(&second.requested, second.requested + 1, __ATOMIC_RELEASE);
	apic_send_ipi(smp_second_cpu_apic_id(), SMP_WAKE_VECTOR);
	return 0;
}

/* From the call's deadline on, the second CPU gets an NMI every NMI_INTERVAL: a guest
   running there exits, and vm_run ends it once its own time limit has passed on that
   CPU's clock, so the call returns with the guest's dump (docs/smp.md). Only when the
   call is still not back after NMI_GRACE_MILLISECONDS is the CPU stopped. */
enum smp_call_status smp_wait(uint32_t timeout_milliseconds)
{
	uint64_t now = rdtsc(), deadline = now + milliseconds_to_tsc(timeout_milliseconds);
	uint64_t give_up = deadline + milliseconds_to_tsc(NMI_GRACE_MILLISECONDS), next_nmi = deadline;

	while (__atomic_load_n(&second.completed, __ATOMIC_ACQUIRE) != second.requested) {
		now = rdtsc();
		if (now > give_up) {
			lost = 1;
			unavailable_reason = "the second CPU did not return from an earlier call and was stopped";
			smp_stop();
			return SMP_CALL_TIMEOUT;
		}
		if (now > next_nmi) {
			apic_send_nmi(smp_second_cpu_apic_id());
			second.deadline_nmis++;
			next_nmi = now + milliseconds_to_tsc(NMI_INTERVAL_MILLISECONDS);
		}
		cpu_pause();
	}
	return second.faulted ? SMP_CALL_FAULT : SMP_CALL_DONE;
}

enum smp_call_status smp_call(void (*function)(void *), void *argument, uint32_t timeout_milliseconds)
{
	if (smp_post(function, argument) != 0)
		return SMP_CALL_NO_CPU;
	return smp_wait(timeout_milliseconds);
}

/* An NMI first: the second CPU leaves VMX operation or SVM in its handler and halts
   (INIT is blocked in VMX root operation, SDM Vol. 3C, 24.8), then INIT. */
void smp_stop(void)
{
	uint64_t deadline = rdtsc() + milliseconds_to_tsc(PARK_TIMEOUT_MILLISECONDS);

	if (!second.online)
		return;
	__atomic_store_n(&second.stopping, 1, __ATOMIC_RELEASE);
	apic_send_nmi(smp_second_cpu_apic_id());
	while (!second.parked && rdtsc() < deadline)
		cpu_pause();
	apic_send_init_sipi_others(ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
	second.online = 0;
}

int smp_stopped_in_its_handler(void)
{
	return second.parked;
}

uint64_t smp_deadline_nmis(void)
{
	return second.deadline_nmis;
}

void smp_write_record(struct json_writer *writer)
{
	json_object_begin(writer, "smp");
	json_bool(writer, "second_cpu", !smp_unavailable());
	if (smp_unavailable())
		json_string(writer, "reason", smp_unavailable());
	else
		json_uint(writer, "apic_id", smp_second_cpu_apic_id());
	json_object_end(writer);
}
