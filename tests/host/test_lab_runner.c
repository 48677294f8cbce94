/* Runs lab/tests/lab_tests.c's test points on the host, with stand-ins for the runner
   (tests/host/lab_runner_stub.c): every one must pass (C5 skips), and the records it
   prints are checked. The Makefile's test rule compiles one file, so both are included. */
#include "unit.h"
#include "lab_runner_stub.c"
#include "lab/tests/lab_tests.c"

static const struct test lab_table_under_test[] = { LAB_TEST_TABLE_ENTRIES };

int main(void)
{
	unsigned n = sizeof lab_table_under_test / sizeof lab_table_under_test[0], mutants = 0;

	unit_begin();
	for (unsigned i = 0; i < n; i++) {
		static struct test_result result;
		char name[128];
		unsigned records_before = stub_records;
		memset(&result, 0, sizeof result);
		lab_table_under_test[i].run(&result);
		if (strncmp(lab_table_under_test[i].name, "lab/mutant/", 11) == 0)
			mutants += result.status == TEST_PASS;
		snprintf(name, sizeof name, "runner/%s", lab_table_under_test[i].name);
		if (strcmp(lab_table_under_test[i].name, "lab/claim/c5") == 0 ||
		    strcmp(lab_table_under_test[i].name, "lab/cost-weights") == 0 ||   /* no benchmarks */
		    strncmp(lab_table_under_test[i].name, "lab/backend/", 12) == 0) {   /* no real backend here */
			CHECK(name, result.status == TEST_SKIP);
			continue;
		}
		CHECK(name, result.status == TEST_PASS);
		if (result.status != TEST_PASS)
			printf("  ---\n  reason: \"%s\"\n%s  ...\n", result.reason, result.diagnostics);
		if (strcmp(lab_table_under_test[i].name, "lab/claim/c1") == 0)
			CHECK("runner/c1-record", stub_records == records_before + 1 &&
			      strstr(stub_last_record, "claim {\"schema\":1,\"id\":\"C1\",") == stub_last_record &&
			      strstr(stub_last_record, "\"verdict\":\"reproduced\"") != 0 &&
			      strstr(stub_last_record, "\"before\":{\"policy\":\"eager+kvm-2015\"") != 0);
		if (strcmp(lab_table_under_test[i].name, "lab/scenarios") == 0)
			CHECK("runner/one-lab-record-per-run", stub_records - records_before == lab_config_count * lab_scenario_count);
	}
	CHECK("runner/at-least-five-mutants-caught", mutants >= 5);
	{
		/* fpulab's policy stays the cheapest under the weights measured on the
		   emulators (lab/cost-weights records of Bochs 2.7 ryzen and QEMU TCG), not
		   only under the defaults. */
		static const struct lab_cost_weights bochs = {
			.save_base = 1, .restore_base = 1, .per_64_bytes = 0, .nm_trap = 201, .cr0_write = 1,
			.msr_write = 120, .xsetbv = 4, .vm_exit = 2315, .ipi = 2000,
		};
		static const struct lab_cost_weights qemu = {
			.save_base = 554, .restore_base = 662, .per_64_bytes = 10, .nm_trap = 738, .cr0_write = 43,
			.msr_write = 120, .xsetbv = 158, .vm_exit = 26883, .ipi = 2000,
		};
		static struct test_result result;
		lab_weights_use(&bochs);
		memset(&result, 0, sizeof result);
		lab_test_fpulab_policy_is_best(&result);
		CHECK("runner/fpulab-best-under-bochs-weights", result.status == TEST_PASS);
		lab_weights_use(&qemu);
		memset(&result, 0, sizeof result);
		lab_test_fpulab_policy_is_best(&result);
		CHECK("runner/fpulab-best-under-qemu-weights", result.status == TEST_PASS);
		lab_weights_use(0);
	}
	{
		/* backend= selects per backend: the simulated tests skip under backend=hosted,
		   and a backend this build lacks skips with where it exists. */
		static struct test_result result;
		memset(&result, 0, sizeof result);
		stub_arguments.lab_backend = LAB_BACKEND_HOSTED;
		lab_test_scenarios(&result);
		CHECK("runner/backend-hosted-skips-simulated", result.status == TEST_SKIP &&
		      strstr(result.reason, "backend=hosted selected") != 0);
		memset(&result, 0, sizeof result);
		lab_test_backend_hosted(&result);
		CHECK("runner/backend-missing-in-this-build-skips", result.status == TEST_SKIP &&
		      strstr(result.reason, "exists only in the hosted build") != 0);
		memset(&result, 0, sizeof result);
		stub_arguments.lab_backend = LAB_BACKEND_SIMULATED;
		lab_test_backend_metal(&result);
		CHECK("runner/backend-sim-skips-metal", result.status == TEST_SKIP &&
		      strstr(result.reason, "backend=sim selected") != 0);
		stub_arguments.lab_backend = LAB_BACKEND_ALL;
	}
	return unit_end();
}
