#include "watchdog.h"
#include "acpi.h"
#include "console.h"
#include "arch/apic.h"
#include "arch/x86.h"
#include "timekeeping.h"

#define PIT_WATCHDOG_HZ 20
#define LAPIC_DIVIDE_BY_16 0x3
#define SELF_CHECK_MILLISECONDS 20
#define SELF_CHECK_PATIENCE_MILLISECONDS 400

enum watchdog_method { WATCHDOG_NONE, WATCHDOG_LAPIC_NMI, WATCHDOG_IOAPIC_PIT_NMI };

static enum watchdog_method method;
static volatile int armed;
static volatile uint64_t nmi_count;
static uint64_t deadline_tsc;
static unsigned armed_milliseconds;
static uint64_t lapic_ticks_per_millisecond;
static uint32_t saved_lvt_timer, saved_divide, saved_initial_count;
static struct ioapic_input pit_input;

static void calibrate_lapic_timer(void)
{
	uint32_t elapsed;

	apic_write(LAPIC_REGISTER_TIMER_DIVIDE, LAPIC_DIVIDE_BY_16);
	apic_write(LAPIC_REGISTER_LVT_TIMER, LVT_MASKED);
	apic_write(LAPIC_REGISTER_TIMER_INITIAL, 0xffffffffu);
	pit_wait_microseconds(10000);
	elapsed = 0xffffffffu - apic_read(LAPIC_REGISTER_TIMER_CURRENT);
	apic_write(LAPIC_REGISTER_TIMER_INITIAL, 0);
	lapic_ticks_per_millisecond = elapsed / 10;
}

static void lapic_start_one_shot(void)
{
	uint64_t now = rdtsc(), remaining_tsc = deadline_tsc > now ? deadline_tsc - now : 0;
	uint64_t tsc_per_millisecond = milliseconds_to_tsc(1);
	uint64_t ticks = (remaining_tsc / tsc_per_millisecond + 1) * lapic_ticks_per_millisecond;

	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	apic_write(LAPIC_REGISTER_TIMER_DIVIDE, LAPIC_DIVIDE_BY_16);
	apic_write(LAPIC_REGISTER_LVT_TIMER, LVT_DELIVERY_NMI);
	apic_write(LAPIC_REGISTER_TIMER_INITIAL, (uint32_t)ticks);
}

void watchdog_arm(uint32_t milliseconds)
{
	armed_milliseconds = milliseconds;
	deadline_tsc = rdtsc() + milliseconds_to_tsc(milliseconds);
	armed = 1;
	if (method == WATCHDOG_LAPIC_NMI) {
		saved_lvt_timer = apic_read(LAPIC_REGISTER_LVT_TIMER);
		saved_divide = apic_read(LAPIC_REGISTER_TIMER_DIVIDE);
		saved_initial_count = apic_read(LAPIC_REGISTER_TIMER_INITIAL);
		lapic_start_one_shot();
	} else if (method == WATCHDOG_IOAPIC_PIT_NMI) {
		pit_start_periodic(PIT_WATCHDOG_HZ);
		ioapic_route_nmi(&pit_input, apic_id());
	}
}

void watchdog_disarm(void)
{
	if (!armed)
		return;
	armed = 0;
	if (method == WATCHDOG_LAPIC_NMI) {
		apic_write(LAPIC_REGISTER_TIMER_INITIAL, 0);
		apic_write(LAPIC_REGISTER_LVT_TIMER, saved_lvt_timer);
		apic_write(LAPIC_REGISTER_TIMER_DIVIDE, saved_divide);
		apic_write(LAPIC_REGISTER_TIMER_INITIAL, saved_initial_count);
	} else if (method == WATCHDOG_IOAPIC_PIT_NMI) {
		ioapic_mask(&pit_input);
		pit_stop();
	}
}

int watchdog_nmi_says_expired(void)
{
	nmi_count++;
	if (!armed)
		return 0;
	if (rdtsc() >= deadline_tsc)
		return 1;
	if (method == WATCHDOG_LAPIC_NMI)
		lapic_start_one_shot();
	return 0;
}

/* Arms the method for a short deadline with interrupts masked and waits for its NMI. */
static int self_check(enum watchdog_method candidate)
{
	uint64_t flags = interrupts_save_disable();
	uint64_t nmis_before = nmi_count;
	uint64_t give_up = rdtsc() + milliseconds_to_tsc(SELF_CHECK_PATIENCE_MILLISECONDS);

	method = candidate;
	watchdog_arm(SELF_CHECK_MILLISECONDS);
	while (nmi_count == nmis_before && rdtsc() < give_up)
		cpu_pause();
	watchdog_disarm();
	interrupts_restore(flags);
	if (nmi_count != nmis_before)
		return 1;
	method = WATCHDOG_NONE;
	return 0;
}

/* The PIT's input from the MADT (or the PC defaults, kernel/acpi.h); 0 when that
   I/O APIC has no such input. */
static int find_pit_input(void)
{
	const struct pit_route *route = acpi_pit_route();
	unsigned inputs = ioapic_input_count(route->ioapic_address);

	pit_input.ioapic = route->ioapic_address;
	pit_input.pin = route->gsi - route->ioapic_gsi_base;
	pit_input.active_low = route->active_low;
	if (pit_input.pin < inputs)
		return 1;
	kprintf("# watchdog: the PIT's GSI %u would be input %u of the I/O APIC at 0x%llx, "
		"which has %u: not tried\n", route->gsi, pit_input.pin,
		(unsigned long long)route->ioapic_address, inputs);
	return 0;
}

void watchdog_init(int firmware_alive)
{
	if (!apic_present())
		return;
	calibrate_lapic_timer();
	if (lapic_ticks_per_millisecond && self_check(WATCHDOG_LAPIC_NMI))
		return;
	if (!firmware_alive && find_pit_input())
		self_check(WATCHDOG_IOAPIC_PIT_NMI);
}

int watchdog_available(void) { return method != WATCHDOG_NONE; }
unsigned watchdog_armed_milliseconds(void) { return armed_milliseconds; }

const char *watchdog_method_name(void)
{
	static const char *const names[] = { "none", "lapic-nmi", "ioapic-pit-nmi" };
	return names[method];
}
