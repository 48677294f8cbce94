/* cpu/features: the `cpu` record (docs/output.md) and a consistency check of what
   CPUID reported against what the kernel could set. */
#include "cpu_features.h"
#include "support/harness.h"
#include "smp/smp.h"
#include "fpu_setup.h"
#include "test_runner.h"
#include "timekeeping.h"
#include "watchdog.h"
#include "acpi.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/json_writer.h"

static void write_components(struct json_writer *writer, const struct cpu_features *cpu)
{
	json_array_begin(writer, "xsave_components");
	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++) {
		if (!(((cpu->xcr0_supported | cpu->xss_supported) >> i) & 1))
			continue;
		json_object_begin(writer, 0);
		json_uint(writer, "index", i);
		json_uint(writer, "size", cpu->components[i].size);
		json_uint(writer, "offset", cpu->components[i].offset);
		json_bool(writer, "align64", cpu->components[i].align64);
		json_bool(writer, "supervisor", cpu->components[i].supervisor);
		json_bool(writer, "xfd", cpu->components[i].xfd);
		json_object_end(writer);
	}
	json_array_end(writer);
}

static void write_features(struct json_writer *writer, const struct cpu_features *cpu)
{
	json_object_begin(writer, "features");
	json_bool(writer, "fxsr", cpu->has.fxsr);
	json_bool(writer, "xsave", cpu->has.xsave);
	json_bool(writer, "xsaveopt", cpu->has.xsaveopt);
	json_bool(writer, "xsavec", cpu->has.xsavec);
	json_bool(writer, "xgetbv1", cpu->has.xgetbv1);
	json_bool(writer, "xsaves", cpu->has.xsaves);
	json_bool(writer, "xfd", cpu->has.xfd);
	json_bool(writer, "avx", cpu->has.avx);
	json_bool(writer, "avx2", cpu->has.avx2);
	json_bool(writer, "avx512f", cpu->has.avx512f);
	json_bool(writer, "pku", cpu->has.pku);
	json_bool(writer, "amx_tile", cpu->has.amx_tile);
	json_bool(writer, "amx_bf16", cpu->has.amx_bf16);
	json_bool(writer, "amx_int8", cpu->has.amx_int8);
	json_bool(writer, "vmx", cpu->has.vmx);
	json_bool(writer, "svm", cpu->has.svm);
	json_bool(writer, "invariant_tsc", cpu->has.invariant_tsc);
	json_bool(writer, "tsc_deadline", cpu->has.tsc_deadline);
	json_bool(writer, "x2apic", cpu->has.x2apic);
	json_bool(writer, "gigabyte_pages", cpu->has.gigabyte_pages);
	json_object_end(writer);
}

static void write_virtualization(struct json_writer *writer, const struct cpu_features *cpu)
{
	if (cpu->has.vmx && cpu->vmx.revision) {
		json_object_begin(writer, "vmx");
		json_uint(writer, "revision", cpu->vmx.revision);
		json_bool(writer, "ept", cpu->vmx.ept);
		json_bool(writer, "vpid", cpu->vmx.vpid);
		json_bool(writer, "unrestricted_guest", cpu->vmx.unrestricted_guest);
		json_bool(writer, "preemption_timer", cpu->vmx.preemption_timer);
		json_bool(writer, "true_controls", cpu->vmx.true_controls);
		json_object_end(writer);
	} else {
		json_null(writer, "vmx");
	}
	if (cpu->has.svm) {
		json_object_begin(writer, "svm");
		json_uint(writer, "revision", cpu->svm.revision);
		json_bool(writer, "npt", cpu->svm.npt);
		json_bool(writer, "nrip_save", cpu->svm.nrip_save);
		json_bool(writer, "vmcb_clean", cpu->svm.vmcb_clean);
		json_bool(writer, "decode_assists", cpu->svm.decode_assists);
		json_object_end(writer);
	} else {
		json_null(writer, "svm");
	}
}

static void emit_cpu_record(const struct cpu_features *cpu)
{
	static char buffer[6144];
	struct json_writer writer;

	json_begin(&writer, buffer, sizeof buffer);
	json_int(&writer, "schema", 1);
	json_string(&writer, "vendor", cpu->vendor);
	json_uint(&writer, "family", cpu->family);
	json_uint(&writer, "model", cpu->model);
	json_uint(&writer, "stepping", cpu->stepping);
	json_string(&writer, "brand", cpu->brand);
	if (cpu->microcode >= 0)
		json_uint(&writer, "microcode", (uint64_t)cpu->microcode);
	else
		json_null(&writer, "microcode");
	json_bool(&writer, "hypervisor", cpu->has.hypervisor);
	json_string(&writer, "hypervisor_vendor", cpu->hypervisor_vendor);
	json_hex(&writer, "xcr0_supported", cpu->xcr0_supported);
	json_hex(&writer, "xss_supported", cpu->xss_supported);
	json_hex(&writer, "xcr0", fpu_baseline_xcr0());
	json_uint(&writer, "xsave_standard_size", cpu->xsave_standard_size);
	json_hex(&writer, "xsave_unusable", cpu->xsave_unusable);
	write_components(&writer, cpu);
	write_features(&writer, cpu);
	write_virtualization(&writer, cpu);
	json_uint(&writer, "tsc_hz", tsc_hz());
	json_string(&writer, "tsc_hz_source", tsc_hz_source());
	json_uint(&writer, "tsc_hz_pit", tsc_hz_measured());
	json_object_begin(&writer, "perf");
	json_uint(&writer, "architectural_version", cpu->perf.architectural_version);
	json_uint(&writer, "general_counters", cpu->perf.general_counters);
	json_uint(&writer, "counter_width", cpu->perf.counter_width);
	json_uint(&writer, "fixed_counters", cpu->perf.fixed_counters);
	json_bool(&writer, "amd_core_extended", cpu->perf.amd_core_extended);
	json_bool(&writer, "aperf_mperf", cpu->has.aperf_mperf);
	json_object_end(&writer);
	harness_write_clocks(&writer);
	smp_write_record(&writer);
	json_string(&writer, "watchdog", watchdog_method_name());
	acpi_write_record(&writer);
	record_emit("cpu", &writer);
}

void test_cpu_features(struct test_result *result)
{
	const struct cpu_features *cpu = cpu_features();
	uint64_t xcr0 = 0;

	emit_cpu_record(cpu);
	if (!cpu->vendor[0])
		test_fail(result, "CPUID.0 returned an empty vendor string");
	else if (cpu->has.xsave && (!(cpu->xcr0_supported & 3) || cpu->xsave_standard_size < 576))
		test_fail(result, "XSAVE enumerated but CPUID.(0DH,0) is implausible: xcr0 0x%llx size %u",
			  (unsigned long long)cpu->xcr0_supported, cpu->xsave_standard_size);
	else if (cpu->has.xsave && (xgetbv_safe(0, &xcr0) != 0 || xcr0 != cpu->xcr0_supported))
		test_fail(result, "XCR0 reads 0x%llx, expected every supported component 0x%llx",
			  (unsigned long long)xcr0, (unsigned long long)cpu->xcr0_supported);
	else if (!tsc_hz())
		test_fail(result, "TSC frequency unknown: no CPUID 0x15/0x16 and PIT calibration failed");
	if (cpu->xsave_unusable)
		test_diagnostic(result, "cpuid_quirk", "\"CPUID.(EAX=0DH,ECX=i) gives size or offset 0 for "
				"components 0x%llx: left out of every measurement\"",
				(unsigned long long)cpu->xsave_unusable);
}
