#include "cpu_features.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/string.h"

static struct cpu_features cpu;

static int bit(uint32_t value, unsigned index)
{
	return (value >> index) & 1;
}

static void copy_register_text(char *text, const uint32_t *registers, unsigned count)
{
	memcpy(text, registers, count * 4);
	text[count * 4] = 0;
}

static void read_identity(void)
{
	struct cpuid_result leaf0 = cpuid(0, 0), leaf1 = cpuid(1, 0);
	uint32_t vendor[3] = { leaf0.ebx, leaf0.edx, leaf0.ecx };
	uint32_t family = (leaf1.eax >> 8) & 0xf, model = (leaf1.eax >> 4) & 0xf;

	copy_register_text(cpu.vendor, vendor, 3);
	if (family == 0xf)
		family += (leaf1.eax >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((leaf1.eax >> 16) & 0xf) << 4;
	cpu.family = family;
	cpu.model = model;
	cpu.stepping = leaf1.eax & 0xf;
	if (cpuid(0x80000000, 0).eax >= 0x80000004) {
		uint32_t brand[12];
		for (unsigned i = 0; i < 3; i++) {
			struct cpuid_result part = cpuid(0x80000002 + i, 0);
			brand[i * 4 + 0] = part.eax;
			brand[i * 4 + 1] = part.ebx;
			brand[i * 4 + 2] = part.ecx;
			brand[i * 4 + 3] = part.edx;
		}
		copy_register_text(cpu.brand, brand, 12);
	}
	cpu.has.hypervisor = (uint8_t)bit(leaf1.ecx, 31);
	if (cpu.has.hypervisor) {
		struct cpuid_result signature = cpuid(0x40000000, 0);
		uint32_t text[3] = { signature.ebx, signature.ecx, signature.edx };
		copy_register_text(cpu.hypervisor_vendor, text, 3);
	}
}

/* SDM Vol. 3A, 10.11.7: write 0 to IA32_BIOS_SIGN_ID, CPUID(1), read the revision. */
static void read_microcode(void)
{
	uint64_t value;

	cpu.microcode = -1;
	if (cpu_is_intel()) {
		if (wrmsr_safe(MSR_IA32_BIOS_SIGN_ID, 0) == 0) {
			cpuid(1, 0);
			if (rdmsr_safe(MSR_IA32_BIOS_SIGN_ID, &value) == 0)
				cpu.microcode = (int64_t)(value >> 32);
		}
	} else if (cpu_is_amd() && rdmsr_safe(MSR_IA32_BIOS_SIGN_ID, &value) == 0) {
		cpu.microcode = (int64_t)(uint32_t)value;
	}
}

static void read_feature_flags(void)
{
	struct cpuid_result leaf1 = cpuid(1, 0), leaf7 = { 0, 0, 0, 0 };
	uint32_t max_leaf = cpuid(0, 0).eax, max_extended = cpuid(0x80000000, 0).eax;

	if (max_leaf >= 7)
		leaf7 = cpuid(7, 0);
	cpu.has.fxsr = (uint8_t)bit(leaf1.edx, 24);
	cpu.has.xsave = (uint8_t)bit(leaf1.ecx, 26);
	cpu.has.avx = (uint8_t)bit(leaf1.ecx, 28);
	cpu.has.vmx = (uint8_t)bit(leaf1.ecx, 5);
	cpu.has.x2apic = (uint8_t)bit(leaf1.ecx, 21);
	cpu.has.tsc_deadline = (uint8_t)bit(leaf1.ecx, 24);
	cpu.has.avx2 = (uint8_t)bit(leaf7.ebx, 5);
	cpu.has.avx512f = (uint8_t)bit(leaf7.ebx, 16);
	cpu.has.pku = (uint8_t)bit(leaf7.ecx, 3);
	cpu.has.amx_bf16 = (uint8_t)bit(leaf7.edx, 22);
	cpu.has.amx_tile = (uint8_t)bit(leaf7.edx, 24);
	cpu.has.amx_int8 = (uint8_t)bit(leaf7.edx, 25);
	if (max_leaf >= 6)
		cpu.has.aperf_mperf = (uint8_t)bit(cpuid(6, 0).ecx, 0);
	if (max_extended >= 0x80000001) {
		struct cpuid_result extended = cpuid(0x80000001, 0);
		cpu.has.svm = (uint8_t)bit(extended.ecx, 2);
		cpu.has.gigabyte_pages = (uint8_t)bit(extended.edx, 26);
		cpu.perf.amd_core_extended = (uint8_t)bit(extended.ecx, 23);
	}
	if (max_extended >= 0x80000007)
		cpu.has.invariant_tsc = (uint8_t)bit(cpuid(0x80000007, 0).edx, 8);
	if (max_leaf >= 0xa) {
		struct cpuid_result leaf10 = cpuid(0xa, 0);
		cpu.perf.architectural_version = leaf10.eax & 0xff;
		cpu.perf.general_counters = (leaf10.eax >> 8) & 0xff;
		cpu.perf.counter_width = (leaf10.eax >> 16) & 0xff;
		cpu.perf.fixed_counters = cpu.perf.architectural_version > 1 ? leaf10.edx & 0x1f : 0;
	}
}

/* SDM Vol. 1, 13.2: CPUID leaf 0DH enumerates XSAVE components. */
static void read_xsave_components(void)
{
	struct cpuid_result main_leaf, sub_leaf1;

	if (!cpu.has.xsave || cpuid(0, 0).eax < 0xd)
		return;
	main_leaf = cpuid(0xd, 0);
	sub_leaf1 = cpuid(0xd, 1);
	cpu.xcr0_supported = ((uint64_t)main_leaf.edx << 32) | main_leaf.eax;
	cpu.xss_supported = ((uint64_t)sub_leaf1.edx << 32) | sub_leaf1.ecx;
	cpu.xsave_standard_size = main_leaf.ecx;
	cpu.has.xsaveopt = (uint8_t)bit(sub_leaf1.eax, 0);
	cpu.has.xsavec = (uint8_t)bit(sub_leaf1.eax, 1);
	cpu.has.xgetbv1 = (uint8_t)bit(sub_leaf1.eax, 2);
	cpu.has.xsaves = (uint8_t)bit(sub_leaf1.eax, 3);
	cpu.has.xfd = (uint8_t)bit(sub_leaf1.eax, 4);
	cpu.components[0].size = 160;            /* legacy region: x87 ... */
	cpu.components[1].offset = 160;          /* ... and SSE, SDM Vol. 1, 13.4.1 */
	cpu.components[1].size = 256;
	for (unsigned i = 2; i < XSAVE_MAX_COMPONENTS; i++) {
		struct cpuid_result component;
		if (!(((cpu.xcr0_supported | cpu.xss_supported) >> i) & 1))
			continue;
		component = cpuid(0xd, i);
		cpu.components[i].size = component.eax;
		cpu.components[i].offset = component.ebx;
		cpu.components[i].supervisor = (uint8_t)bit(component.ecx, 0);
		cpu.components[i].align64 = (uint8_t)bit(component.ecx, 1);
		cpu.components[i].xfd = (uint8_t)bit(component.ecx, 2);
		if (!component.eax || (!cpu.components[i].supervisor && !component.ebx))
			cpu.xsave_unusable |= 1ull << i;
	}
}

/* SDM Vol. 3D, A.1-A.3 (capability MSRs) and AMD APM Vol. 2, 15.4 (CPUID 8000_000AH). */
static void read_virtualization(void)
{
	uint64_t basic, pinbased, secondary_allowed;

	if (cpu.has.vmx && rdmsr_safe(MSR_IA32_VMX_BASIC, &basic) == 0) {
		cpu.vmx.revision = (uint32_t)(basic & 0x7fffffff);
		cpu.vmx.true_controls = (uint8_t)((basic >> 55) & 1);
		if (rdmsr_safe(MSR_IA32_VMX_PINBASED_CTLS, &pinbased) == 0)
			cpu.vmx.preemption_timer = (uint8_t)((pinbased >> (32 + 6)) & 1);
		if (rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS, &secondary_allowed) == 0 &&
		    ((secondary_allowed >> (32 + 31)) & 1) &&
		    rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &secondary_allowed) == 0) {
			cpu.vmx.ept = (uint8_t)((secondary_allowed >> (32 + 1)) & 1);
			cpu.vmx.vpid = (uint8_t)((secondary_allowed >> (32 + 5)) & 1);
			cpu.vmx.unrestricted_guest = (uint8_t)((secondary_allowed >> (32 + 7)) & 1);
		}
	}
	if (cpu.has.svm && cpuid(0x80000000, 0).eax >= 0x8000000a) {
		struct cpuid_result leaf = cpuid(0x8000000a, 0);
		cpu.svm.revision = leaf.eax & 0xff;
		cpu.svm.npt = (uint8_t)bit(leaf.edx, 0);
		cpu.svm.nrip_save = (uint8_t)bit(leaf.edx, 3);
		cpu.svm.vmcb_clean = (uint8_t)bit(leaf.edx, 5);
		cpu.svm.decode_assists = (uint8_t)bit(leaf.edx, 7);
	}
}

void cpu_features_init(void)
{
	memset(&cpu, 0, sizeof cpu);
	read_identity();
	read_feature_flags();
	read_microcode();
	read_xsave_components();
	read_virtualization();
}

const struct cpu_features *cpu_features(void) { return &cpu; }
int cpu_is_intel(void) { return strcmp(cpu.vendor, "GenuineIntel") == 0; }
int cpu_is_amd(void) { return strcmp(cpu.vendor, "AuthenticAMD") == 0; }
