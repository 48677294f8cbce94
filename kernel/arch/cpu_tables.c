#include "arch/cpu_tables.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "boot/boot_info.h"
#include "lib/string.h"
#include "memory.h"

#define GDT_ENTRIES 32
#define TSS_SLOT 30           /* a TSS descriptor takes two slots: 30 and 31 */
#define USER_DATA_SLOT 8      /* ring-3 segments for CPL-change probes; clear of OVMF's 1..7 */
#define USER_CODE_SLOT 9
#define RING0_STACK_PAGES 4
#define IST_STACK_PAGES 4
#define IST_NMI 1
#define IST_DOUBLE_FAULT 2
#define IST_MACHINE_CHECK 3

struct __attribute__((packed)) descriptor_pointer {
	uint16_t limit;
	uint64_t base;
};

/* SDM Vol. 3A, 8.7: 64-bit TSS. */
struct __attribute__((packed)) task_state_segment {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t io_map_base;
};

/* SDM Vol. 3A, 8.2.3: the 16-byte TSS descriptor in slots TSS_SLOT and TSS_SLOT + 1,
   type 9 (available 64-bit TSS), present. */
#define DESCRIPTOR_TSS_AVAILABLE_PRESENT 0x89ull
static void write_tss_descriptor(uint64_t *gdt, const struct task_state_segment *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;

	gdt[TSS_SLOT] = (sizeof *tss - 1) | ((base & 0xffffff) << 16) |
			(DESCRIPTOR_TSS_AVAILABLE_PRESENT << 40) | ((base >> 24 & 0xff) << 56);
	gdt[TSS_SLOT + 1] = base >> 32;
}

/* SDM Vol. 3A, 6.14.1: 64-bit interrupt gate. */
struct __attribute__((packed)) gate_descriptor {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attributes;
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
};

extern const uint64_t interrupt_stub_table[256];
void load_descriptor_tables(const void *gdtr, const void *idtr, uint16_t code_selector,
			    uint16_t data_selector, uint16_t tss_selector);

uint16_t kernel_code_selector, kernel_data_selector;
uint16_t user_code_selector, user_data_selector;

static uint64_t *gdt;
static struct gate_descriptor *idt;
static struct task_state_segment *tss;
static struct descriptor_pointer firmware_gdtr, firmware_idtr;
static uint16_t firmware_code_selector, firmware_data_selector, firmware_task_register;

static void write_gate(struct gate_descriptor *gate, uint64_t handler, uint8_t ist)
{
	gate->offset_low = (uint16_t)handler;
	gate->selector = kernel_code_selector;
	gate->ist = ist;
	gate->type_attributes = 0x8e;   /* present, DPL 0, 64-bit interrupt gate */
	gate->offset_middle = (uint16_t)(handler >> 16);
	gate->offset_high = (uint32_t)(handler >> 32);
	gate->reserved = 0;
}

static void set_gate(unsigned vector, uint64_t handler, uint8_t ist)
{
	write_gate(&idt[vector], handler, ist);
}

static uint64_t ist_stack_top(void)
{
	return memory_alloc_pages(IST_STACK_PAGES) + IST_STACK_PAGES * PAGE_SIZE;
}

static void build_gdt(const struct boot_info *boot)
{
	unsigned code_slot = 1, data_slot = 2;
	unsigned firmware_code_slot = boot->firmware_code_selector >> 3;
	unsigned firmware_data_slot = boot->firmware_data_selector >> 3;

	gdt = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
	if (firmware_code_slot && firmware_code_slot < TSS_SLOT)
		gdt[firmware_code_slot] = DESCRIPTOR_CODE64;
	if (firmware_data_slot && firmware_data_slot < TSS_SLOT)
		gdt[firmware_data_slot] = DESCRIPTOR_DATA;
	if (firmware_data_slot == code_slot || firmware_code_slot == data_slot) {
		code_slot = 12;
		data_slot = 13;
	}
	gdt[code_slot] = DESCRIPTOR_CODE64;
	gdt[data_slot] = DESCRIPTOR_DATA;
	gdt[USER_DATA_SLOT] = DESCRIPTOR_DATA | DESCRIPTOR_DPL3;
	gdt[USER_CODE_SLOT] = DESCRIPTOR_CODE64 | DESCRIPTOR_DPL3;
	user_data_selector = USER_DATA_SLOT << 3 | 3;
	user_code_selector = USER_CODE_SLOT << 3 | 3;
	kernel_code_selector = (uint16_t)(code_slot << 3);
	kernel_data_selector = (uint16_t)(data_slot << 3);

	write_tss_descriptor(gdt, tss);
}

/* Every vector is fpulab's: no firmware handler runs on fpulab's tables
   (docs/design.md, 13). */
static void build_idt(void)
{
	idt = (struct gate_descriptor *)(uintptr_t)memory_alloc_pages(1);
	for (unsigned vector = 0; vector < 256; vector++)
		set_gate(vector, interrupt_stub_table[vector], 0);
	idt[VECTOR_NMI].ist = IST_NMI;
	idt[VECTOR_DF].ist = IST_DOUBLE_FAULT;
	idt[VECTOR_MC].ist = IST_MACHINE_CHECK;
}

void cpu_tables_init(const struct boot_info *boot)
{
	__asm__ volatile("sgdt %0" : "=m"(firmware_gdtr));
	__asm__ volatile("sidt %0" : "=m"(firmware_idtr));
	__asm__ volatile("str %0" : "=r"(firmware_task_register));
	firmware_code_selector = boot->firmware_code_selector;
	firmware_data_selector = boot->firmware_data_selector;

	tss = (struct task_state_segment *)(uintptr_t)memory_alloc_pages(1);
	tss->ist[IST_NMI - 1] = ist_stack_top();
	tss->ist[IST_DOUBLE_FAULT - 1] = ist_stack_top();
	tss->ist[IST_MACHINE_CHECK - 1] = ist_stack_top();
	tss->rsp[0] = memory_alloc_pages(RING0_STACK_PAGES) + RING0_STACK_PAGES * PAGE_SIZE;
	tss->io_map_base = sizeof *tss;

	build_gdt(boot);
	build_idt();
	cpu_tables_load_own();
}

/* SDM Vol. 3A, 8.2.2: LTR marks the TSS descriptor busy (type 1011b) and faults on
   one that already is; clearing the busy bit lets the same TSS be loaded again. */
static void mark_tss_available(uint64_t gdt_base, uint16_t selector)
{
	uint64_t *descriptor = (uint64_t *)(uintptr_t)(gdt_base + (selector & ~7u));
	*descriptor &= ~(1ull << 41);
}

void cpu_tables_load_own(void)
{
	struct descriptor_pointer gdtr = { GDT_ENTRIES * 8 - 1, (uint64_t)(uintptr_t)gdt };
	struct descriptor_pointer idtr = { 256 * sizeof *idt - 1, (uint64_t)(uintptr_t)idt };

	if (!gdt)
		return;
	mark_tss_available(gdtr.base, TSS_SLOT << 3);
	load_descriptor_tables(&gdtr, &idtr, kernel_code_selector, kernel_data_selector,
			       TSS_SLOT << 3);
}

/* The second CPU's tables: a copy of the GDT with its own TSS (a busy TSS cannot be
   loaded twice) and stacks, and an IDT where every vector is fpulab's own stub. */
void cpu_tables_build_for_ap(struct cpu_tables_ap *tables)
{
	struct task_state_segment *ap_tss = (struct task_state_segment *)(uintptr_t)memory_alloc_pages(1);
	uint64_t *ap_gdt = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
	struct gate_descriptor *ap_idt = (struct gate_descriptor *)(uintptr_t)memory_alloc_pages(1);

	ap_tss->ist[IST_NMI - 1] = tables->stack_base + 1 * AP_STACK_BYTES;
	ap_tss->ist[IST_DOUBLE_FAULT - 1] = tables->stack_base + 2 * AP_STACK_BYTES;
	ap_tss->ist[IST_MACHINE_CHECK - 1] = tables->stack_base + 3 * AP_STACK_BYTES;
	ap_tss->rsp[0] = tables->stack_base + 4 * AP_STACK_BYTES;
	ap_tss->io_map_base = sizeof *ap_tss;
	memcpy(ap_gdt, gdt, PAGE_SIZE);
	write_tss_descriptor(ap_gdt, ap_tss);
	memcpy(ap_idt, idt, 32 * sizeof *idt);
	for (unsigned vector = 32; vector < 256; vector++)
		write_gate(&ap_idt[vector], interrupt_stub_table[vector], 0);
	tables->gdt_base = (uint64_t)(uintptr_t)ap_gdt;
	tables->idt_base = (uint64_t)(uintptr_t)ap_idt;
}

void cpu_tables_load_ap(const struct cpu_tables_ap *tables)
{
	struct descriptor_pointer gdtr = { GDT_ENTRIES * 8 - 1, tables->gdt_base };
	struct descriptor_pointer idtr = { 256 * sizeof *idt - 1, tables->idt_base };

	load_descriptor_tables(&gdtr, &idtr, kernel_code_selector, kernel_data_selector,
			       TSS_SLOT << 3);
}

void cpu_tables_replace_gate(unsigned vector, uint64_t handler, uint64_t saved[2])
{
	memcpy(saved, &idt[vector & 255], sizeof idt[0]);
	set_gate(vector & 255, handler, 0);
}

void cpu_tables_restore_gate(unsigned vector, const uint64_t saved[2])
{
	memcpy(&idt[vector & 255], saved, sizeof idt[0]);
}

void cpu_tables_restore_firmware(void)
{
	if (!firmware_code_selector || !gdt)
		return;
	/* Without a firmware TSS, TR keeps pointing at fpulab's (allocated for good). */
	if (firmware_task_register)
		mark_tss_available(firmware_gdtr.base, firmware_task_register);
	load_descriptor_tables(&firmware_gdtr, &firmware_idtr, firmware_code_selector,
			       firmware_data_selector, firmware_task_register);
}

int cpu_tables_vector_is_own(unsigned vector)
{
	struct descriptor_pointer idtr;
	const struct gate_descriptor *gate;
	uint64_t handler;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	if (idtr.base != (uint64_t)(uintptr_t)idt || vector > 255)
		return 0;
	gate = &idt[vector];
	handler = gate->offset_low | (uint64_t)gate->offset_middle << 16 | (uint64_t)gate->offset_high << 32;
	return handler == interrupt_stub_table[vector] && gate->selector == kernel_code_selector;
}
