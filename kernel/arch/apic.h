/* Local APIC (xAPIC MMIO or x2APIC MSRs, whichever the firmware left on), the I/O
   APIC, the legacy PIC and the PIT: only what the watchdog, calibration and
   interrupt masking need. */
#ifndef FPULAB_APIC_H
#define FPULAB_APIC_H

#include <stdint.h>

#define LAPIC_REGISTER_ID 0x20
#define LAPIC_REGISTER_TASK_PRIORITY 0x80
#define LAPIC_REGISTER_EOI 0xb0
#define LAPIC_REGISTER_SPURIOUS 0xf0
#define APIC_SPURIOUS_VECTOR 0xff   /* what a spurious interrupt delivers; it takes no EOI */
#define LAPIC_REGISTER_ICR_LOW 0x300
#define LAPIC_REGISTER_ICR_HIGH 0x310
#define LAPIC_REGISTER_LVT_TIMER 0x320
#define LAPIC_REGISTER_LVT_THERMAL 0x330
#define LAPIC_REGISTER_LVT_PERFORMANCE 0x340
#define LAPIC_REGISTER_LVT_LINT0 0x350
#define LAPIC_REGISTER_LVT_LINT1 0x360
#define LAPIC_REGISTER_LVT_ERROR 0x370
#define LAPIC_REGISTER_TIMER_INITIAL 0x380
#define LAPIC_REGISTER_TIMER_CURRENT 0x390
#define LAPIC_REGISTER_TIMER_DIVIDE 0x3e0
#define LVT_MASKED (1u << 16)
#define LVT_DELIVERY_NMI (4u << 8)
/* Interrupt command register (SDM Vol. 3A, 11.6.1). */
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SHORTHAND_ALL_BUT_SELF (3u << 18)

void apic_init(void);
int apic_present(void);
uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t value);
uint32_t apic_id(void);
void apic_end_of_interrupt(void);
/* Fixed, edge, destination shorthand self (SDM Vol. 3A, 11.6.1; x2APIC: ICR MSR 0x830). */
void apic_send_self_ipi(uint8_t vector);
/* Fixed interrupt to one CPU by APIC ID. */
void apic_send_ipi(uint32_t destination, uint8_t vector);
/* An NMI to the CPU with that APIC ID (physical destination). */
void apic_send_nmi(uint32_t destination);
/* An INIT or STARTUP command to every CPU but this one (SDM Vol. 3A, 9.4.4.1). */
void apic_send_init_sipi_others(uint32_t command);
/* On a CPU that just started: its local APIC on, in the BSP's mode, accepting all. */
void apic_enable_this_cpu(int x2apic);
int apic_x2apic_mode(void);

/* One input of an I/O APIC: its register window's physical address, the input's
   number there (GSI minus the I/O APIC's GSI base) and the source's polarity. */
struct ioapic_input {
	uint64_t ioapic;
	unsigned pin;
	int active_low;
};
unsigned ioapic_input_count(uint64_t ioapic);
/* The input's redirection entry: NMI to that APIC ID, or masked. */
void ioapic_route_nmi(const struct ioapic_input *input, uint32_t apic_destination);
void ioapic_mask(const struct ioapic_input *input);

/* The 8259 pair's interrupt mask registers (OCW1: a set bit masks that IRQ). */
#define PIC_MASTER_MASK_PORT 0x21
#define PIC_SLAVE_MASK_PORT  0xa1
void pic_mask_all(void);

/* PIT channel 2 one-shot: busy-waits about `microseconds` (max ~54 ms) using only
   port I/O. Returns the TSC ticks that elapsed. */
uint64_t pit_wait_microseconds(uint32_t microseconds);
/* PIT channel 0 as a periodic rate generator at about hertz ticks per second. */
void pit_start_periodic(uint32_t hertz);
void pit_stop(void);

#endif
