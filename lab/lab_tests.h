/* The policy lab's tests (lab/tests/lab_tests.c) for a runner's test table
   (kernel/test_table.c, host/host_test_table.c); docs/lab.md lists the names. */
#ifndef FPULAB_LAB_TESTS_H
#define FPULAB_LAB_TESTS_H

struct test_result;

void lab_test_scenario_format(struct test_result *result);
void lab_test_scenarios(struct test_result *result);
void lab_test_claim_c1(struct test_result *result);
void lab_test_claim_c3(struct test_result *result);
void lab_test_claim_c4(struct test_result *result);
void lab_test_claim_c5(struct test_result *result);
void lab_test_claim_c6(struct test_result *result);
void lab_test_cost_weights(struct test_result *result);
void lab_test_fpulab_policy_goal(struct test_result *result);
void lab_test_fpulab_policy_is_best(struct test_result *result);
void lab_test_mutant_restore_skipped(struct test_result *result);
void lab_test_mutant_save_skipped(struct test_result *result);
void lab_test_mutant_kfpu_keeps_owner(struct test_result *result);
void lab_test_mutant_xfd_after_xrstor(struct test_result *result);
void lab_test_mutant_no_last_cpu_check(struct test_result *result);
void lab_test_mutant_signal_frame_from_stale_registers(struct test_result *result);
void lab_test_mutant_fpulab_kfpu_keeps_owner(struct test_result *result);
void lab_test_mutant_fork_shares_parent_registers(struct test_result *result);
void lab_test_mutant_recycled_context_keeps_last_cpu(struct test_result *result);
void lab_test_mutant_lazy_ts_skips_ts_set(struct test_result *result);
void lab_test_mutant_fpulab_lazy_for_every_task(struct test_result *result);
void lab_test_mutant_fpulab_frame_copy_skips_ipi(struct test_result *result);
void lab_test_mutant_xfd_not_rearmed(struct test_result *result);
void lab_test_table(struct test_result *result);
void lab_test_backend_hosted(struct test_result *result);
void lab_test_backend_metal(struct test_result *result);

/* For a test table: its entries, in run order; lab/table prints the configuration x
   scenario table as "# " lines and goes last. */
#define LAB_TEST_TABLE_ENTRIES                                                                       \
	{ "lab/cost-weights", lab_test_cost_weights, 0, 0 },                                         \
	{ "lab/scenario-format", lab_test_scenario_format, 0, 0 },                                   \
	{ "lab/scenarios", lab_test_scenarios, 0, 0 },                                               \
	{ "lab/claim/c1", lab_test_claim_c1, 0, 0 },                                                 \
	{ "lab/claim/c3", lab_test_claim_c3, 0, 0 },                                                 \
	{ "lab/claim/c4", lab_test_claim_c4, 0, 0 },                                                 \
	{ "lab/claim/c5", lab_test_claim_c5, 0, 0 },                                                 \
	{ "lab/claim/c6", lab_test_claim_c6, 0, 0 },                                                 \
	{ "lab/fpulab-policy-is-best", lab_test_fpulab_policy_is_best, 0, 0 },                       \
	{ "lab/fpulab-policy-goal", lab_test_fpulab_policy_goal, 0, 0 },                             \
	{ "lab/mutant/restore-skipped", lab_test_mutant_restore_skipped, 0, 0 },                     \
	{ "lab/mutant/save-skipped", lab_test_mutant_save_skipped, 0, 0 },                           \
	{ "lab/mutant/kfpu-keeps-owner", lab_test_mutant_kfpu_keeps_owner, 0, 0 },                   \
	{ "lab/mutant/xfd-after-xrstor", lab_test_mutant_xfd_after_xrstor, 0, 0 },                   \
	{ "lab/mutant/no-last-cpu-check", lab_test_mutant_no_last_cpu_check, 0, 0 },                 \
	{ "lab/mutant/signal-frame-from-stale-registers",                                            \
	  lab_test_mutant_signal_frame_from_stale_registers, 0, 0 },                                 \
	{ "lab/mutant/fpulab-kfpu-keeps-owner", lab_test_mutant_fpulab_kfpu_keeps_owner, 0, 0 },         \
	{ "lab/mutant/fork-shares-parent-registers", lab_test_mutant_fork_shares_parent_registers, 0, 0 }, \
	{ "lab/mutant/recycled-context-keeps-last-cpu",                                              \
	  lab_test_mutant_recycled_context_keeps_last_cpu, 0, 0 },                                   \
	{ "lab/mutant/lazy-ts-skips-ts-set", lab_test_mutant_lazy_ts_skips_ts_set, 0, 0 },           \
	{ "lab/mutant/fpulab-lazy-for-every-task", lab_test_mutant_fpulab_lazy_for_every_task, 0, 0 }, \
	{ "lab/mutant/fpulab-frame-copy-skips-ipi", lab_test_mutant_fpulab_frame_copy_skips_ipi, 0, 0 }, \
	{ "lab/mutant/xfd-not-rearmed", lab_test_mutant_xfd_not_rearmed, 0, 0 },                     \
	{ "lab/backend/hosted", lab_test_backend_hosted, 0, 0 },                                     \
	{ "lab/backend/metal", lab_test_backend_metal, 0, 0 },                                       \
	{ "lab/table", lab_test_table, 0, 0 },

#endif
