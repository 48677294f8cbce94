#include "timekeeping.h"
#include "arch/apic.h"
#include "arch/x86.h"

#define CALIBRATION_MICROSECONDS 50000u

static uint64_t reported_hz, measured_hz;
static const char *source = "unknown";

static uint64_t hz_from_cpuid(void)
{
	uint32_t max_leaf = cpuid(0, 0).eax;
	struct cpuid_result leaf;

	if (max_leaf >= 0x15) {
		leaf = cpuid(0x15, 0);
		if (leaf.eax && leaf.ebx && leaf.ecx) {
			source = "cpuid15";
			return (uint64_t)leaf.ecx * leaf.ebx / leaf.eax;
		}
	}
	if (max_leaf >= 0x16) {
		leaf = cpuid(0x16, 0);
		if (leaf.eax & 0xffff) {
			source = "cpuid16";
			return (uint64_t)(leaf.eax & 0xffff) * 1000000u;
		}
	}
	return 0;
}

void timekeeping_init(void)
{
	uint64_t ticks = pit_wait_microseconds(CALIBRATION_MICROSECONDS);

	measured_hz = ticks * (1000000u / CALIBRATION_MICROSECONDS);
	reported_hz = hz_from_cpuid();
	if (!reported_hz && measured_hz) {
		reported_hz = measured_hz;
		source = "pit";
	}
}

uint64_t tsc_hz(void) { return reported_hz; }
const char *tsc_hz_source(void) { return source; }
uint64_t tsc_hz_measured(void) { return measured_hz; }

uint64_t milliseconds_to_tsc(uint64_t milliseconds)
{
	uint64_t hz = measured_hz ? measured_hz : 1000000000u;
	return milliseconds * (hz / 1000u);
}
