/* The kernel's side of kernel/runner_platform.h, and the harness's quiet window
   (support/harness.h): interrupts masked at the CPU, at the local APIC and at the PIC,
   with the NMI watchdog the only thing left that can end a test. */
#include "runner_platform.h"
#include "cpu_reset.h"
#include "platform.h"
#include "watchdog.h"
#include "support/harness.h"
#include "arch/apic.h"
#include "arch/x86.h"

uint64_t runner_platform_before_test(uint32_t timeout_milliseconds)
{
	uint64_t flags = interrupts_save_disable();
	watchdog_arm(timeout_milliseconds);
	return flags;
}

void runner_platform_after_test(uint64_t saved, int aborted)
{
	watchdog_disarm();
	if (aborted)
		cpu_reset_after_abort();   /* e.g. a test ended inside VMX root or SVM host code */
	interrupts_restore(saved);
}

void runner_platform_bail_out_begin(void)
{
	interrupts_disable();
	watchdog_disarm();
}

void runner_platform_end(int status)
{
	platform_finish(status);   /* returns only to go back to the firmware */
	for (;;)
		cpu_halt();
}

void runner_platform_stop(int status)
{
	platform_stop(status);
}

static uint32_t saved_lvt[5];
static uint8_t saved_pic_master, saved_pic_slave;
static const uint32_t quiesced_lvt_registers[5] = {
	LAPIC_REGISTER_LVT_LINT0, LAPIC_REGISTER_LVT_LINT1, LAPIC_REGISTER_LVT_PERFORMANCE,
	LAPIC_REGISTER_LVT_THERMAL, LAPIC_REGISTER_LVT_ERROR,
};

void harness_quiesce(void)
{
	if (apic_present())
		for (unsigned i = 0; i < 5; i++) {
			saved_lvt[i] = apic_read(quiesced_lvt_registers[i]);
			apic_write(quiesced_lvt_registers[i], saved_lvt[i] | LVT_MASKED);
		}
	saved_pic_master = inb(PIC_MASTER_MASK_PORT);
	saved_pic_slave = inb(PIC_SLAVE_MASK_PORT);
	pic_mask_all();
}

void harness_restore(void)
{
	outb(PIC_MASTER_MASK_PORT, saved_pic_master);
	outb(PIC_SLAVE_MASK_PORT, saved_pic_slave);
	if (apic_present())
		for (unsigned i = 0; i < 5; i++)
			apic_write(quiesced_lvt_registers[i], saved_lvt[i]);
}

/* The kernel counts core cycles with the PMU's own MSRs (support/clocks.c); a counter
   for ring 3 is the hosted build's business. */
int harness_user_cycle_counter(uint32_t *index, const char **reason)
{
	(void)index;
	*reason = "ring 3 counters exist only in the hosted build";
	return 0;
}
