/* What the CPU offers, read once from CPUID and the capability MSRs. */
#ifndef FPULAB_CPU_FEATURES_H
#define FPULAB_CPU_FEATURES_H

#include <stdint.h>

#include "support/lib/xsave_layout.h"

struct cpu_features {
	char vendor[13];
	char brand[49];
	char hypervisor_vendor[13];
	uint32_t family, model, stepping;
	int64_t microcode;               /* -1 when unreadable */
	uint64_t xcr0_supported, xss_supported;
	uint32_t xsave_standard_size;    /* CPUID.(0DH,0):ECX */
	/* Components CPUID enumerates but describes inconsistently (size 0: Bochs 2.7 does
	   this for PKRU). fpulab leaves them out of every mask it builds. */
	uint64_t xsave_unusable;
	struct xsave_component components[XSAVE_MAX_COMPONENTS];
	struct {
		uint8_t fxsr, xsave, xsaveopt, xsavec, xgetbv1, xsaves, xfd;
		uint8_t avx, avx2, avx512f, pku, amx_tile, amx_bf16, amx_int8;
		uint8_t vmx, svm, invariant_tsc, tsc_deadline, x2apic, hypervisor;
		uint8_t gigabyte_pages, aperf_mperf;
	} has;
	struct {
		uint32_t revision;
		uint8_t true_controls, ept, vpid, unrestricted_guest, preemption_timer;
	} vmx;
	struct {
		uint32_t revision;
		uint8_t npt, nrip_save, vmcb_clean, decode_assists;
	} svm;
	struct {
		uint32_t architectural_version, general_counters, counter_width, fixed_counters;
		uint8_t amd_core_extended;
	} perf;
};

void cpu_features_init(void);
const struct cpu_features *cpu_features(void);
int cpu_is_intel(void);
int cpu_is_amd(void);

#endif
