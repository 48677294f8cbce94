/* Ends a test that does not return, even one spinning with interrupts masked: an NMI
   arrives at the deadline and the trap handler aborts the guarded call.
   Sources, tried in this order by a self-check at boot:
   - lapic-nmi: the local APIC timer with NMI in its LVT delivery-mode bits (QEMU
     honours them; the SDM leaves them reserved for the timer, so real CPUs and KVM may not);
   - ioapic-pit-nmi: PIT channel 0 through an I/O APIC pin programmed for NMI delivery
     (multiboot2 boots only, where no firmware owns the PIT; this is Bochs's path); the
     I/O APIC and the pin come from the ACPI MADT (kernel/acpi.h). */
#ifndef FPULAB_WATCHDOG_H
#define FPULAB_WATCHDOG_H

#include <stdint.h>

void watchdog_init(int firmware_alive);
const char *watchdog_method_name(void);
int watchdog_available(void);
void watchdog_arm(uint32_t milliseconds);
void watchdog_disarm(void);
unsigned watchdog_armed_milliseconds(void);
/* From the NMI handler: 1 when the armed deadline has passed. */
int watchdog_nmi_says_expired(void);

#endif
