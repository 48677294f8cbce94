#include "firmware_calls.h"
#include "memory.h"
#include "arch/cpu_tables.h"
#include "arch/x86.h"
#include "boot/boot_info.h"

#define PIC_MASTER_MASK 0x21
#define PIC_SLAVE_MASK 0xa1

static int firmware_alive, firmware_has_cpu = 1;
static uint64_t firmware_flags;
static uint8_t firmware_pic_master, firmware_pic_slave;

/* The 8259's interrupts would reach fpulab's IDT as soon as anything there sets IF
   (a test's STI window), and only the firmware's handler sends the 8259 its EOI. */
static void mask_firmware_pic(void)
{
	firmware_pic_master = inb(PIC_MASTER_MASK);
	firmware_pic_slave = inb(PIC_SLAVE_MASK);
	outb(PIC_MASTER_MASK, 0xff);
	outb(PIC_SLAVE_MASK, 0xff);
}

static void restore_firmware_pic(void)
{
	outb(PIC_SLAVE_MASK, firmware_pic_slave);
	outb(PIC_MASTER_MASK, firmware_pic_master);
}

void firmware_calls_take_cpu(const struct boot_info *boot)
{
	firmware_flags = interrupts_save_disable();
	firmware_alive = boot->firmware != 0;
	if (!firmware_alive)
		return;
	mask_firmware_pic();
	firmware_has_cpu = 0;
}

static void switch_to_firmware(void)
{
	interrupts_disable();
	cpu_tables_restore_firmware();
	paging_restore_firmware();
	restore_firmware_pic();
	firmware_has_cpu = 1;
	interrupts_restore(firmware_flags);   /* its pending timer ticks arrive here */
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
	mask_firmware_pic();
	paging_load_own();
	cpu_tables_load_own();
	firmware_has_cpu = 0;
}

void firmware_give_back(void)
{
	if (firmware_alive && !firmware_has_cpu)
		switch_to_firmware();
}
