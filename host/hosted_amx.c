/* xfd/linux/...: AMX as Linux gives it to a process (Documentation/arch/x86/xstate.rst).
   The process asks for the tile data with arch_prctl(ARCH_REQ_XCOMP_PERM,
   XFEATURE_XTILEDATA); Linux then keeps IA32_XFD[18] armed for every thread until its
   first tile instruction, takes the #NM (SDM Vol. 1, 13.14: XFD), grows the thread's
   XSAVE buffer, disarms XFD and returns. Measured: XSAVE, XSAVEC and XRSTOR with the
   tiles in use against the same with the tiles init, and that first use in a fresh
   thread against the same instructions once the tiles are in use. The records are
   evidence for claim C5 (docs/lab.md). Everywhere else each test SKIPs with the
   reason: no AMX, a kernel without the prctl, or the permission refused. */
#include "support/amx.h"
#include "support/harness.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "test_runner.h"
#include "arch/safe.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/string.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_GET_XCOMP_SUPP 0x1021
#define ARCH_GET_XCOMP_PERM 0x1022
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

DECLARE_BODY(bench_xsave_from_area2);
DECLARE_BODY(bench_xsavec_from_area2);
DECLARE_BODY(bench_xrstor);

static char reason[200];

/* Asks once; why the tiles are not this process's to use, or 0. */
static const char *linux_amx_unavailable(void)
{
	static int asked;
	static const char *unavailable;
	uint64_t supported = 0, permitted = 0;

	if (asked)
		return unavailable;
	asked = 1;
	if (!cpu_features()->has.amx_tile)
		return unavailable = "CPUID.(EAX=07H,ECX=0):EDX.AMX-TILE[24]=0: no AMX on this CPU";
	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &supported) != 0) {
		format_string(reason, sizeof reason, "the kernel has no arch_prctl(ARCH_GET_XCOMP_SUPP) "
			      "(Linux before 5.16): %s", strerror(errno));
		return unavailable = reason;
	}
	if (!((supported >> XFEATURE_XTILEDATA) & 1)) {
		format_string(reason, sizeof reason, "the kernel does not offer XTILEDATA to processes "
			      "(ARCH_GET_XCOMP_SUPP: 0x%llx)", (unsigned long long)supported);
		return unavailable = reason;
	}
	if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) {
		format_string(reason, sizeof reason, "permission refused: arch_prctl(ARCH_REQ_XCOMP_PERM, "
			      "XFEATURE_XTILEDATA): %s", strerror(errno));
		return unavailable = reason;
	}
	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &permitted) != 0 ||
	    (permitted & AMX_COMPONENTS) != AMX_COMPONENTS) {
		format_string(reason, sizeof reason, "permission granted but not recorded: "
			      "ARCH_GET_XCOMP_PERM 0x%llx", (unsigned long long)permitted);
		return unavailable = reason;
	}
	return unavailable = 0;
}

/* The granted permission must reach the tiles: the baseline XCR0 the tests use holds
   them, and XSAVE gives back what XRSTOR loaded (xsave_amx_defect). */
void host_xfd_test_permission(struct test_result *result)
{
	uint64_t permitted = 0;

	if (linux_amx_unavailable())
		return test_skip(result, "%s", linux_amx_unavailable());
	syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &permitted);
	test_diagnostic(result, "permitted", "\"0x%llx\"", (unsigned long long)permitted);
	if (amx_missing())
		return test_fail(result, "permission granted, yet %s", amx_missing());
	if (xsave_amx_defect())
		return test_fail(result, "permission granted, yet the tiles do not survive XRSTOR+XSAVE: %s",
				 xsave_amx_defect());
}

static const char *tiles_unusable(void)
{
	if (linux_amx_unavailable())
		return linux_amx_unavailable();
	if (amx_missing() || xsave_amx_defect())
		return amx_missing() ? amx_missing() : xsave_amx_defect();
	return 0;
}

static int emit(struct test_result *result, const char *name, const struct bench_body *body,
		struct bench_arguments *arguments, const char *state)
{
	struct json_writer writer;
	char buffer[1024];

	if (xsave_bench_begin_record(result, name, body, arguments, &writer, buffer, sizeof buffer) != 0)
		return -1;
	json_hex(&writer, "mask", arguments->mask);
	json_string(&writer, "state", state);
	json_string(&writer, "evidence_for", "C5");
	harness_record_emit(&writer);
	return 0;
}

/* area := patterns in every component; with the tiles init when tiles_init. */
static void prepare(uint8_t *area, uint64_t mask, uint8_t seed, int tiles_init)
{
	xsave_area_with_patterns(area, mask, seed, 0);
	if (tiles_init)
		xsave_header_of(area)->xstate_bv &= ~AMX_COMPONENTS;
}

void host_xfd_bench_save_restore(struct test_result *result)
{
	static const char *const states[2] = { "tiles-in-use", "tiles-init" };
	uint8_t *area = xsave_area_alloc(), *area2 = xsave_area_alloc();
	const struct bench_body xsave = BODY(bench_xsave_from_area2, 8), xsavec = BODY(bench_xsavec_from_area2, 8);
	const struct bench_body xrstor = BODY(bench_xrstor, 8);
	struct bench_arguments arguments = { 0 };
	char name[64];

	if (tiles_unusable())
		return test_skip(result, "%s", tiles_unusable());
	arguments.mask = xsave_user_mask();
	arguments.area = (uint64_t)(uintptr_t)area;
	arguments.area2 = (uint64_t)(uintptr_t)area2;
	for (unsigned tiles_init = 0; tiles_init < 2 && result->status == TEST_PASS; tiles_init++) {
		prepare(area2, arguments.mask, 4, tiles_init);
		format_string(name, sizeof name, "xfd/linux/xsave/%s", states[tiles_init]);
		emit(result, name, &xsave, &arguments, states[tiles_init]);
		format_string(name, sizeof name, "xfd/linux/xsavec/%s", states[tiles_init]);
		if (!xsave_instruction_missing("xsavec"))
			emit(result, name, &xsavec, &arguments, states[tiles_init]);
		prepare(area, arguments.mask, 5, tiles_init);
		format_string(name, sizeof name, "xfd/linux/xrstor/%s", states[tiles_init]);
		emit(result, name, &xrstor, &arguments, states[tiles_init]);
	}
	tilerelease_safe();
}

/* ---- the first tile instruction of a fresh thread ---- */

struct first_use {
	const uint8_t *tile_config;
	uint32_t clock, index;
	uint64_t first, again;      /* ticks of LDTILECFG+TILEZERO: first use, then in use */
	int vector;
};

static void note_fault(struct first_use *use, int vector)
{
	if (!use->vector)
		use->vector = vector;
}

static uint64_t timed_tile_use(struct first_use *use)
{
	uint64_t start = harness_read_clock(use->clock, use->index);
	int configured = ldtilecfg_safe(use->tile_config), zeroed = tilezero_safe();
	uint64_t end = harness_read_clock(use->clock, use->index);

	note_fault(use, configured ? configured : zeroed);
	return end - start;
}

static void *fresh_thread(void *argument)
{
	struct first_use *use = argument;

	use->first = timed_tile_use(use);   /* XFD armed: #NM, Linux grows the buffer */
	use->again = timed_tile_use(use);   /* the same, the tiles in use */
	note_fault(use, tilerelease_safe());
	return 0;
}

/* One pair for the harness: a new thread's first use and its second. The watchdog's
   SIGALRM stays with the test's thread (blocked while the new one starts). */
static int first_use_pair(void *context, uint32_t clock, uint64_t *short_window, uint64_t *long_window)
{
	struct first_use *use = context;
	sigset_t alarm, saved;
	pthread_t thread;
	int failed;

	use->clock = clock;
	use->index = harness_clock_index((enum harness_clock)clock);
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alarm, &saved);
	failed = pthread_create(&thread, 0, fresh_thread, use) != 0 || pthread_join(thread, 0) != 0;
	pthread_sigmask(SIG_SETMASK, &saved, 0);
	*short_window = use->again;
	*long_window = use->first;
	return failed || use->vector ? -1 : 0;
}

void host_xfd_bench_first_use(struct test_result *result)
{
	uint8_t *patterns = xsave_area_alloc();
	struct first_use use = { 0 };
	struct bench_result measured;
	struct json_writer writer;
	char buffer[1024];

	if (tiles_unusable())
		return test_skip(result, "%s", tiles_unusable());
	xsave_area_fill_patterns(patterns, xsave_components(), amx_test_mask(), amx_test_mask(), 1, 0);
	use.tile_config = amx_tile_config_of(patterns);
	if (harness_measure_pairs(first_use_pair, &use, 1, harness_sample_count(), &measured) != 0)
		return test_fail(result, use.vector ? "a tile instruction in a fresh thread raised vector %d"
				 : "a fresh thread could not be started or joined", use.vector);
	harness_record_begin(&writer, buffer, sizeof buffer, "xfd/linux/first-use", &measured);
	json_string(&writer, "includes", "the first LDTILECFG+TILEZERO of a fresh thread less the same again: "
		    "Linux's #NM for XFD, the buffer it grows, the return");
	json_string(&writer, "evidence_for", "C5");
	harness_record_emit(&writer);
}
