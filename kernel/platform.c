#include "platform.h"
#include "console.h"
#include "firmware_calls.h"
#include "serial.h"
#include "smp/smp.h"
#include "arch/x86.h"
#include "boot/boot_info.h"
#include "lib/kernel_args.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

static const struct boot_info *boot;
static enum exit_method exit_method;

void platform_init(const struct boot_info *boot_info, int method)
{
	boot = boot_info;
	exit_method = (enum exit_method)method;
}

static void emulator_exit(int status)
{
	if (exit_method == EXIT_QEMU)
		outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status);   /* QEMU exits with status*2+1 */
	if (exit_method == EXIT_BOCHS)
		for (const char *c = "Shutdown"; *c; c++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
}

void platform_stop(int status)
{
	serial_drain();
	emulator_exit(status);
	interrupts_disable();
	for (;;)
		cpu_halt();
}

void platform_finish(int status)
{
	const struct firmware_ops *firmware = boot ? boot->firmware : 0;
	size_t length;
	const char *log = console_log(&length);

	smp_stop();
	interrupts_disable();
	serial_drain();
	if (firmware) {
		firmware_give_back();   /* no more traps of fpulab's from here */
		if (firmware->save_results && log)
			firmware->save_results(log, length);
	}
	serial_drain();
	if (exit_method == EXIT_QEMU || exit_method == EXIT_BOCHS || exit_method == EXIT_HALT ||
	    !firmware)
		platform_stop(status);
	firmware->finish(status, exit_method == EXIT_DEFAULT);
}
