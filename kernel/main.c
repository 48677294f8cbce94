/* kmain: both boot paths (boot/efi_entry.c, boot/multiboot2_info.c) arrive here with
   the same boot_info. */
#include "acpi.h"
#include "console.h"
#include "cpu_features.h"
#include "firmware_calls.h"
#include "fpu_setup.h"
#include "memory.h"
#include "platform.h"
#include "test_runner.h"
#include "timekeeping.h"
#include "watchdog.h"
#include "support/harness.h"
#include "smp/smp.h"
#include "arch/apic.h"
#include "arch/cpu_tables.h"
#include "arch/per_cpu.h"
#include "arch/x86.h"
#include "boot/boot_info.h"
#include "lib/kernel_args.h"

#define LOG_BUFFER_PAGES 1024   /* 4 MiB of output kept for the results file */

static struct kernel_args args;

void kmain(struct boot_info *boot)
{
	int firmware_alive = boot->firmware != 0;

	apic_init();                         /* local APIC: the firmware's timer, the watchdog */
	firmware_calls_take_cpu(boot);       /* interrupts off; firmware runs on its own tables */
	console_init(boot);                  /* serial port and screen */
	kernel_args_parse(boot->command_line, &args);
	platform_init(boot, args.exit_method); /* how the run will end */
	memory_init(boot);                   /* page allocator over the free memory */
	console_attach_log((char *)(uintptr_t)memory_alloc_pages(LOG_BUFFER_PAGES),
			   LOG_BUFFER_PAGES * PAGE_SIZE);
	runner_start(&args, firmware_alive ? "efi" : "multiboot2", boot->command_line);
	runner_report_argument_errors();     /* bad arguments are `not ok` at the top */
	per_cpu_start(0);                    /* GS base: this CPU's area, read by every trap */
	cpu_tables_init(boot);               /* own GDT, TSS and IDT */
	paging_init();                       /* own identity map */
	if (!firmware_alive)
		pic_mask_all();              /* nobody else owns the legacy PIC */
	cpu_features_init();                 /* CPUID and capability MSRs */
	fpu_setup();                         /* CR4.OSXSAVE, XCR0 */
	timekeeping_init();                  /* TSC frequency */
	acpi_init(boot->acpi_rsdp);          /* the MADT: where the PIT's interrupt arrives */
	watchdog_init(firmware_alive);       /* NMI source for hung tests */
	harness_init();                      /* the benchmark clock */
	smp_init(boot);                      /* the second CPU, when there is one */
	runner_run_all();                    /* the test table */
	platform_finish(runner_finish());    /* plan, end marker, results file, exit */
}
