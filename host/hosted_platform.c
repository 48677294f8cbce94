/* Kernel services the shared code calls, as a Linux process provides them: pages from
   mmap, the watchdog as SIGALRM, the reference clock as CLOCK_MONOTONIC, the run's end
   as the exit status. Ring-0 work (CR0/CR4/XCR0, APIC, PIC, MSRs) has no hosted form:
   the hosted test table (host/host_test_table.c) leaves out what needs it. */
#include "cpu_features.h"
#include "memory.h"
#include "fpu_setup.h"
#include "runner_platform.h"
#include "test_runner.h"
#include "watchdog.h"
#include "support/harness.h"
#include "support/xsave_support.h"
#include "smp/smp.h"
#include "lib/json_writer.h"
#include "arch/apic.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "host/hosted.h"
#include "support/lib/xsave_layout.h"
#include "lib/string.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CPUID1_ECX_OSXSAVE (1u << 27)

/* ---- memory.h ---- */

uint64_t memory_alloc_pages(uint64_t count)
{
	void *pages = mmap(0, count * PAGE_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (pages == MAP_FAILED)
		runner_bail_out("out of memory");
	memset(pages, 0, count * PAGE_SIZE);   /* touch every page now, not in a window */
	return (uint64_t)(uintptr_t)pages;
}

uint64_t paging_unmapped_address(void)
{
	static void *no_access;

	if (!no_access)
		no_access = mmap(0, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return (uint64_t)(uintptr_t)no_access;
}

/* ---- fpu_setup.h: Linux owns CR4 and XCR0; the baseline is what it chose ---- */

/* Linux enables AMX tile data in XCR0 but arms XFD for it until the process asks
   (arch_prctl ARCH_REQ_XCOMP_PERM, Documentation/arch/x86/xstate.rst); without that
   permission the first tile access is a SIGILL, so AMX is left out of the baseline. */
#define ARCH_REQ_XCOMP_PERM 0x1023

uint64_t fpu_baseline_xcr0(void)
{
	static uint64_t baseline;
	static int known;
	uint64_t amx = AMX_COMPONENTS;

	if (known)
		return baseline;
	known = 1;
	if (!cpu_features()->has.xsave || !(cpuid(1, 0).ecx & CPUID1_ECX_OSXSAVE))
		return baseline = 0;
	baseline = xgetbv(0);
	if ((baseline & amx) && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XSTATE_TILEDATA) != 0)
		baseline &= ~amx;
	return baseline;
}

/* ---- runner_platform.h and the harness's quiet window ---- */

uint64_t runner_platform_before_test(uint32_t timeout_milliseconds)
{
	watchdog_arm(timeout_milliseconds);
	return 0;
}

/* The FPU state was restored by sigreturn; of kernel/cpu_reset.c's list only the
   trap handler's part exists in ring 3. */
void runner_platform_after_test(uint64_t saved, int aborted)
{
	watchdog_disarm();
	if (aborted)
		trap_reset_after_abort();
}

void runner_platform_bail_out_begin(void)
{
	watchdog_disarm();
}

void runner_platform_end(int status)
{
	_exit(status);
}

void runner_platform_stop(int status)
{
	_exit(status);
}

/* Interrupts belong to Linux: nothing to mask in ring 3. */
void harness_quiesce(void)
{
}

void harness_restore(void)
{
}

/* ---- watchdog.h: SIGALRM after the test's timeout (host/hosted_traps.c) ---- */

static volatile sig_atomic_t watchdog_expired;
static unsigned watchdog_milliseconds;

void watchdog_init(int firmware_alive)
{
}

const char *watchdog_method_name(void)
{
	return "sigalrm";
}

int watchdog_available(void)
{
	return 1;
}

static void set_timer(uint32_t milliseconds)
{
	struct itimerval timer = { { 0, 0 }, { milliseconds / 1000, (milliseconds % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &timer, 0);
}

void watchdog_arm(uint32_t milliseconds)
{
	watchdog_expired = 0;
	watchdog_milliseconds = milliseconds;
	set_timer(milliseconds);
}

void watchdog_disarm(void)
{
	set_timer(0);
}

unsigned watchdog_armed_milliseconds(void)
{
	return watchdog_milliseconds;
}

int watchdog_nmi_says_expired(void)
{
	return watchdog_expired;
}

void hosted_watchdog_expired(void)
{
	watchdog_expired = 1;
}

/* ---- arch/apic.h: the calibration reference for kernel/timekeeping.c ---- */

static uint64_t monotonic_nanoseconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* The PIT's role: a known interval, here measured by CLOCK_MONOTONIC. Returns the TSC
   ticks of exactly `microseconds`, scaled from the interval really waited. */
uint64_t pit_wait_microseconds(uint32_t microseconds)
{
	uint64_t tsc_start = rdtsc(), start = monotonic_nanoseconds(), elapsed;
	uint64_t wanted = (uint64_t)microseconds * 1000u;

	do {
		cpu_pause();
		elapsed = monotonic_nanoseconds() - start;
	} while (elapsed < wanted);
	return (uint64_t)((unsigned __int128)(rdtsc() - tsc_start) * wanted / elapsed);
}

int apic_present(void)
{
	return 0;
}

void apic_end_of_interrupt(void)
{
}

/* ---- kernel/acpi.h: no I/O APIC in a process; the cpu record has no "ioapic" ---- */

void acpi_write_record(struct json_writer *writer)
{
	(void)writer;
}

/* ---- kernel/smp/: the hosted build is one thread on one CPU ---- */

void smp_write_record(struct json_writer *writer)
{
	json_object_begin(writer, "smp");
	json_bool(writer, "second_cpu", 0);
	json_string(writer, "reason", "hosted build: one thread");
	json_object_end(writer);
}
