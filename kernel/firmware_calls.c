#include "firmware_calls.h"
#include "memory.h"
#include "arch/apic.h"
#include "arch/cpu_tables.h"
#include "arch/per_cpu.h"
#include "arch/x86.h"
#include "boot/boot_info.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0
#define LVT_TIMER_MODE(lvt) ((lvt) >> 17 & 3)   /* SDM Vol. 3A, 11.5.1 */
#define LVT_TIMER_TSC_DEADLINE 2

/* The firmware's own interrupt sources, as it left them: the 8259's masks and the
   local APIC timer (OVMF's tick). */
struct firmware_sources {
	uint8_t pic_master, pic_slave;
	uint32_t lvt_timer, timer_divide, timer_initial;
	uint64_t tsc_deadline;
};

static int firmware_alive, firmware_has_cpu = 1;
static uint64_t firmware_flags;
static struct firmware_sources sources;

/* Masks the firmware's sources, then lets what they raised before reach the
   firmware's handlers on the firmware's tables: nothing of the firmware's is left
   pending for an STI on fpulab's tables (where the 8259 would get no EOI). */
static void silence_firmware_sources(void)
{
	sources.pic_master = inb(PIC_MASTER_MASK_PORT);
	sources.pic_slave = inb(PIC_SLAVE_MASK_PORT);
	outb(PIC_MASTER_MASK_PORT, 0xff);
	outb(PIC_SLAVE_MASK_PORT, 0xff);
	if (apic_present()) {
		sources.lvt_timer = apic_read(LAPIC_REGISTER_LVT_TIMER);
		sources.timer_divide = apic_read(LAPIC_REGISTER_TIMER_DIVIDE);
		sources.timer_initial = apic_read(LAPIC_REGISTER_TIMER_INITIAL);
		if (LVT_TIMER_MODE(sources.lvt_timer) == LVT_TIMER_TSC_DEADLINE)
			sources.tsc_deadline = rdmsr(MSR_IA32_TSC_DEADLINE);
		apic_write(LAPIC_REGISTER_LVT_TIMER, sources.lvt_timer | LVT_MASKED);
	}
	if (firmware_flags & RFLAGS_IF)
		__asm__ volatile("sti; nop; cli" ::: "memory");
}

/* The timer restarts its period (fpulab's watchdog and calibration reuse it). */
static void restore_firmware_sources(void)
{
	if (apic_present()) {
		apic_write(LAPIC_REGISTER_TIMER_DIVIDE, sources.timer_divide);
		apic_write(LAPIC_REGISTER_LVT_TIMER, sources.lvt_timer);
		if (LVT_TIMER_MODE(sources.lvt_timer) == LVT_TIMER_TSC_DEADLINE)
			wrmsr(MSR_IA32_TSC_DEADLINE, sources.tsc_deadline);
		else
			apic_write(LAPIC_REGISTER_TIMER_INITIAL, sources.timer_initial);
	}
	outb(PIC_SLAVE_MASK_PORT, sources.pic_slave);
	outb(PIC_MASTER_MASK_PORT, sources.pic_master);
}

void firmware_calls_take_cpu(const struct boot_info *boot)
{
	firmware_flags = interrupts_save_disable();
	firmware_alive = boot->firmware != 0;
	if (!firmware_alive)
		return;
	silence_firmware_sources();
	firmware_has_cpu = 0;
}

static void switch_to_firmware(void)
{
	interrupts_disable();
	cpu_tables_restore_firmware();
	paging_restore_firmware();
	per_cpu_restore_firmware();
	restore_firmware_sources();
	firmware_has_cpu = 1;
	interrupts_restore(firmware_flags);
}

int firmware_enter(void)
{
	if (!firmware_alive || firmware_has_cpu)
		return 0;
	switch_to_firmware();
	return 1;
}

void firmware_leave(int entered)
{
	if (!entered)
		return;
	interrupts_disable();
	silence_firmware_sources();
	paging_load_own();
	cpu_tables_load_own();
	per_cpu_load_own();
	firmware_has_cpu = 0;
}

void firmware_give_back(void)
{
	if (firmware_alive && !firmware_has_cpu)
		switch_to_firmware();
}
