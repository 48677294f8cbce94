#include "arch/apic.h"
#include "arch/x86.h"

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define X2APIC_MSR_BASE 0x800
#define IOAPIC_REGISTER_SELECT 0x00
#define IOAPIC_REGISTER_WINDOW 0x10
#define IOAPIC_REDIRECTION_BASE 0x10
#define IOAPIC_VERSION 0x01
#define IOAPIC_ACTIVE_LOW (1u << 13)
#define PIT_FREQUENCY_HZ 1193182u
#define PIT_CHANNEL0 0x40
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define SPEAKER_PORT 0x61

static uint64_t lapic_base;
static int x2apic_mode, lapic_available;

void apic_init(void)
{
	uint64_t base;

	if (!(cpuid(1, 0).edx & (1u << 9)))
		return;
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		return;
	x2apic_mode = (base & APIC_BASE_X2APIC) != 0;
	lapic_base = base & 0xffffff000ull;
	lapic_available = 1;
}

int apic_present(void)
{
	return lapic_available;
}

uint32_t apic_read(uint32_t reg)
{
	if (x2apic_mode)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return *mmio32(lapic_base + reg);
}

void apic_write(uint32_t reg, uint32_t value)
{
	if (x2apic_mode)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), value);
	else
		*mmio32(lapic_base + reg) = value;
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(LAPIC_REGISTER_ID);
	return x2apic_mode ? id : id >> 24;
}

void apic_end_of_interrupt(void)
{
	if (lapic_available)
		apic_write(LAPIC_REGISTER_EOI, 0);
}

void apic_send_self_ipi(uint8_t vector)
{
	apic_write(LAPIC_REGISTER_ICR_LOW, (1u << 18) | vector);   /* shorthand 01b: self */
}

/* SDM Vol. 3A, 11.6.1: in xAPIC mode the destination goes to ICR[63:32] first and
   the write of ICR[31:0] sends; x2APIC has one 64-bit ICR MSR (11.12.9). */
static void send_interrupt_command(uint32_t destination, uint32_t command)
{
	if (x2apic_mode) {
		wrmsr(X2APIC_MSR_BASE + (LAPIC_REGISTER_ICR_LOW >> 4), (uint64_t)destination << 32 | command);
		return;
	}
	*mmio32(lapic_base + LAPIC_REGISTER_ICR_HIGH) = destination << 24;
	*mmio32(lapic_base + LAPIC_REGISTER_ICR_LOW) = command;
	for (unsigned i = 0; i < 1000000 && (*mmio32(lapic_base + LAPIC_REGISTER_ICR_LOW) & ICR_DELIVERY_PENDING); i++)
		cpu_pause();
}

void apic_send_ipi(uint32_t destination, uint8_t vector)
{
	send_interrupt_command(destination, vector);   /* fixed, physical, edge */
}

void apic_send_nmi(uint32_t destination)
{
	send_interrupt_command(destination, ICR_DELIVERY_NMI);
}

void apic_send_init_sipi_others(uint32_t command)
{
	send_interrupt_command(0, ICR_SHORTHAND_ALL_BUT_SELF | command);
}

void apic_enable_this_cpu(int x2apic)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_ENABLE;
	if (x2apic)
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC);
	else
		wrmsr(MSR_IA32_APIC_BASE, base);
	apic_write(LAPIC_REGISTER_SPURIOUS, (1u << 8) | APIC_SPURIOUS_VECTOR);   /* software enable */
	apic_write(LAPIC_REGISTER_TASK_PRIORITY, 0);
}

int apic_x2apic_mode(void)
{
	return x2apic_mode;
}

static void ioapic_write(uint64_t ioapic, uint32_t reg, uint32_t value)
{
	*mmio32(ioapic + IOAPIC_REGISTER_SELECT) = reg;
	*mmio32(ioapic + IOAPIC_REGISTER_WINDOW) = value;
}

static uint32_t ioapic_read(uint64_t ioapic, uint32_t reg)
{
	*mmio32(ioapic + IOAPIC_REGISTER_SELECT) = reg;
	return *mmio32(ioapic + IOAPIC_REGISTER_WINDOW);
}

unsigned ioapic_input_count(uint64_t ioapic)
{
	/* 82093AA datasheet, 3.2.2: bits 23:16 of IOAPICVER hold the highest entry. */
	return (ioapic_read(ioapic, IOAPIC_VERSION) >> 16 & 0xff) + 1;
}

void ioapic_route_nmi(const struct ioapic_input *input, uint32_t apic_destination)
{
	/* 82093AA datasheet, 3.2.4: delivery mode 100b = NMI, which must be programmed
	   edge triggered whatever the source's trigger mode; the polarity is the source's. */
	uint32_t low = LVT_DELIVERY_NMI | (input->active_low ? IOAPIC_ACTIVE_LOW : 0);

	ioapic_write(input->ioapic, IOAPIC_REDIRECTION_BASE + 2 * input->pin + 1, apic_destination << 24);
	ioapic_write(input->ioapic, IOAPIC_REDIRECTION_BASE + 2 * input->pin, low);
}

void ioapic_mask(const struct ioapic_input *input)
{
	ioapic_write(input->ioapic, IOAPIC_REDIRECTION_BASE + 2 * input->pin, LVT_MASKED);
}

void pic_mask_all(void)
{
	outb(PIC_MASTER_MASK_PORT, 0xff);
	outb(PIC_SLAVE_MASK_PORT, 0xff);
}

uint64_t pit_wait_microseconds(uint32_t microseconds)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_FREQUENCY_HZ * microseconds / 1000000u);
	uint64_t start, limit = 1u << 30;
	uint8_t speaker;

	if (count > 0xffff)
		count = 0xffff;
	speaker = inb(SPEAKER_PORT);
	outb(SPEAKER_PORT, (uint8_t)((speaker & ~0x02) & ~0x01));  /* gate low: stop */
	outb(PIT_COMMAND, 0xb0);           /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CHANNEL2, (uint8_t)count);
	outb(PIT_CHANNEL2, (uint8_t)(count >> 8));
	start = rdtsc();
	outb(SPEAKER_PORT, (uint8_t)((speaker & ~0x02) | 0x01));   /* gate high: count */
	while (!(inb(SPEAKER_PORT) & 0x20) && --limit)
		;
	return rdtsc() - start;
}

void pit_start_periodic(uint32_t hertz)
{
	uint32_t divisor = PIT_FREQUENCY_HZ / hertz;
	if (divisor > 0xffff)
		divisor = 0xffff;
	outb(PIT_COMMAND, 0x34);           /* channel 0, lobyte/hibyte, mode 2 */
	outb(PIT_CHANNEL0, (uint8_t)divisor);
	outb(PIT_CHANNEL0, (uint8_t)(divisor >> 8));
}

void pit_stop(void)
{
	outb(PIT_COMMAND, 0x30);           /* channel 0, mode 0, no count written: stays idle */
}
