/* xfd/...: Extended Feature Disable (SDM Vol. 1, 13.14). IA32_XFD[i] = 1 with XCR0[i] = 1
   makes an instruction that uses component i raise #NM and load IA32_XFD_ERR with
   IA32_XFD & the components it needs; the XSAVE family saves an armed component as
   init (XSTATE_BV[i] = 0) and XRSTOR of it from memory raises #NM. The only component
   with XFD support so far is AMX TILEDATA (18), used here through TILEZERO on TMM0.
   Kernel only: IA32_XFD and IA32_XFD_ERR are MSRs. */
#include "support/amx.h"
#include "support/harness.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "test_runner.h"
#include "arch/safe.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "lib/string.h"

#define XFD_TILEDATA (1ull << XSTATE_TILEDATA)

DECLARE_BODY(bench_rdmsr_xfd); DECLARE_BODY(bench_rdmsr_xfd_err); DECLARE_BODY(bench_wrmsr_xfd_same);
DECLARE_BODY(bench_wrmsr_xfd_arm_disarm); DECLARE_BODY(bench_xfd_nm_round_trip);

/* Why these tests cannot run here, or NULL. */
static const char *xfd_missing(void)
{
	if (!cpu_features()->has.xfd)
		return "CPUID.(EAX=0DH,ECX=1):EAX.XFD[4]=0: no XFD on this CPU";
	if (!cpu_features()->components[XSTATE_TILEDATA].xfd)
		return "CPUID.(EAX=0DH,ECX=18):ECX[2]=0: TILEDATA cannot be armed";
	return amx_missing();
}

/* IA32_XFD and IA32_XFD_ERR as the test found them, put back by xfd_end. */
struct xfd_saved {
	uint64_t xfd, xfd_err;
};

static int xfd_begin(struct test_result *result, struct xfd_saved *saved, uint8_t *patterns)
{
	int vector;

	if (rdmsr_safe(MSR_IA32_XFD, &saved->xfd) || rdmsr_safe(MSR_IA32_XFD_ERR, &saved->xfd_err) ||
	    wrmsr_safe(MSR_IA32_XFD_ERR, 0) || wrmsr_safe(MSR_IA32_XFD, 0)) {
		test_fail(result, "IA32_XFD or IA32_XFD_ERR not accessible though XFD is enumerated");
		return -1;
	}
	xsave_area_fill_patterns(patterns, xsave_components(), amx_test_mask(), amx_test_mask(), 13, 0);
	if ((vector = ldtilecfg_safe(amx_tile_config_of(patterns))) != 0) {
		test_fail(result, "LDTILECFG of a valid palette-1 configuration: vector %d", vector);
		return -1;
	}
	return 0;
}

static void xfd_end(const struct xfd_saved *saved)
{
	wrmsr_safe(MSR_IA32_XFD, 0);
	tilerelease_safe();
	wrmsr_safe(MSR_IA32_XFD_ERR, saved->xfd_err);
	wrmsr_safe(MSR_IA32_XFD, saved->xfd);
}

/* Armed: TILEZERO raises #NM and IA32_XFD_ERR names TILEDATA; disarmed: it runs. */
void xfd_test_armed_component_raises_nm(struct test_result *result)
{
	uint8_t *patterns = xsave_area_alloc();
	struct xfd_saved saved;
	uint64_t xfd_err = 0;
	int armed_vector, disarmed_vector;

	if (xfd_missing())
		return test_skip(result, "%s", xfd_missing());
	if (xfd_begin(result, &saved, patterns))
		return;
	wrmsr(MSR_IA32_XFD, XFD_TILEDATA);
	armed_vector = tilezero_safe();
	rdmsr_safe(MSR_IA32_XFD_ERR, &xfd_err);
	wrmsr(MSR_IA32_XFD_ERR, 0);
	wrmsr(MSR_IA32_XFD, 0);
	disarmed_vector = tilezero_safe();
	xfd_end(&saved);
	if (armed_vector != VECTOR_NM)
		return test_fail(result, "TILEZERO with IA32_XFD[18] set: vector %d, expected #NM", armed_vector);
	if (xfd_err != XFD_TILEDATA)
		return test_fail(result, "IA32_XFD_ERR 0x%llx after the #NM, expected 0x%llx",
				 (unsigned long long)xfd_err, (unsigned long long)XFD_TILEDATA);
	if (disarmed_vector != 0)
		test_fail(result, "TILEZERO after disarming: vector %d", disarmed_vector);
}

/* XSAVE and XSAVEC with TILEDATA armed and in use: XSTATE_BV[18] = 0 and no #NM;
   XSAVE writes TILEDATA's init value (zeros). XRSTOR of TILEDATA from memory while
   armed raises #NM with IA32_XFD_ERR[18]. */
void xfd_test_xsave_interaction(struct test_result *result)
{
	uint64_t mask = amx_test_mask(), xfd_err = 0;
	uint8_t *patterns = xsave_area_alloc(), *saved_area = xsave_area_alloc();
	uint8_t *compacted = xsave_area_alloc();
	struct xfd_saved saved;
	int load, save, save_compacted = 0, restore;
	uint32_t offset, size;

	if (xfd_missing())
		return test_skip(result, "%s", xfd_missing());
	if (xfd_begin(result, &saved, patterns))
		return;
	xsave_component_data_range(xsave_components(), mask, XSTATE_TILEDATA, 0, &offset, &size);
	memset(saved_area + offset, 0xa5, size);   /* XSAVE must overwrite it with zeros */
	load = xrstor_safe(patterns, mask);
	wrmsr(MSR_IA32_XFD, XFD_TILEDATA);
	save = xsave_safe(saved_area, mask);
	if (cpu_features()->has.xsavec)
		save_compacted = xsavec_safe(compacted, mask);
	restore = xrstor_safe(patterns, mask);
	rdmsr_safe(MSR_IA32_XFD_ERR, &xfd_err);
	xfd_end(&saved);
	if (load || save || save_compacted)
		return test_fail(result, "XRSTOR/XSAVE/XSAVEC with TILEDATA armed: vectors %d/%d/%d, "
				 "expected no fault", load, save, save_compacted);
	if (xsave_header_of(saved_area)->xstate_bv & XFD_TILEDATA)
		return test_fail(result, "XSAVE with TILEDATA armed set XSTATE_BV[18]");
	for (uint32_t byte = 0; byte < size; byte++)
		if (saved_area[offset + byte])
			return test_fail(result, "XSAVE with TILEDATA armed wrote byte %u = 0x%02x, not "
					 "its init value", byte, saved_area[offset + byte]);
	if (cpu_features()->has.xsavec && (xsave_header_of(compacted)->xstate_bv & XFD_TILEDATA))
		return test_fail(result, "XSAVEC with TILEDATA armed set XSTATE_BV[18]");
	if (restore != VECTOR_NM || xfd_err != XFD_TILEDATA)
		test_fail(result, "XRSTOR of TILEDATA while armed: vector %d, IA32_XFD_ERR 0x%llx; "
			  "expected #NM and 0x%llx", restore, (unsigned long long)xfd_err,
			  (unsigned long long)XFD_TILEDATA);
}

/* RDMSR/WRMSR of IA32_XFD and IA32_XFD_ERR, and the XFD #NM round trip: arm TILEDATA,
   TILEZERO raises #NM, the handler reads and clears IA32_XFD_ERR and disarms, TILEZERO
   runs again (Linux's handle_xfd_event without the buffer allocation). */
void xfd_bench(struct test_result *result)
{
	const struct bench_body read_xfd = BODY(bench_rdmsr_xfd, 8), read_err = BODY(bench_rdmsr_xfd_err, 8);
	const struct bench_body write_same = BODY(bench_wrmsr_xfd_same, 8);
	const struct bench_body arm_disarm = BODY(bench_wrmsr_xfd_arm_disarm, 4);
	const struct bench_body round_trip = BODY(bench_xfd_nm_round_trip, 4);
	struct bench_arguments arguments = { 0 };
	uint8_t *patterns = xsave_area_alloc();
	struct xfd_saved saved;
	uint64_t traps_before;

	if (xfd_missing())
		return test_skip(result, "%s", xfd_missing());
	if (xfd_begin(result, &saved, patterns))
		return;
	arguments.area = (uint64_t)(uintptr_t)amx_tile_config_of(patterns);
	arguments.value = XFD_TILEDATA;
	xsave_bench_emit(result, "xfd/rdmsr-xfd", &read_xfd, &arguments, 0, 0);
	xsave_bench_emit(result, "xfd/rdmsr-xfd-err", &read_err, &arguments, 0, 0);
	xsave_bench_emit(result, "xfd/wrmsr-xfd-same-value", &write_same, &arguments, 0, 0);
	xsave_bench_emit(result, "xfd/wrmsr-xfd-arm-and-disarm", &arm_disarm, &arguments, 0, 0);
	traps_before = trap_nm_count();
	trap_set_nm_handles_xfd(1);
	xsave_bench_emit(result, "xfd/nm-round-trip", &round_trip, &arguments, 0, 0);
	trap_set_nm_handles_xfd(0);
	xfd_end(&saved);
	if (trap_nm_count() == traps_before)
		return test_fail(result, "the XFD #NM round trip raised no #NM");
	if (trap_last_xfd_err() != XFD_TILEDATA)
		test_fail(result, "the #NM handler read IA32_XFD_ERR 0x%llx, expected 0x%llx",
			  (unsigned long long)trap_last_xfd_err(), (unsigned long long)XFD_TILEDATA);
}
