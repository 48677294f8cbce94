/* Host unit tests of tools/fpulab-trace's C side (trace/): the line parser on tracefs
   and trace-cmd formats, the capture header, the converter's assumptions, and the
   validation's verdicts on small hand-written captures. */
#include "unit.h"
#include "trace/trace.h"

#include <stdlib.h>
#include <unistd.h>

static struct trace_capture capture;
static struct trace_conversion conversion;

static int parse_line(const char *text, struct trace_record *r)
{
	return trace_record_parse(text, strlen(text), r, 0);
}

static void test_lines(void)
{
	struct trace_record r;
	const char *tgid = "        pingpong-5770    (   5770) [001] d..2.  4639.300371: sched_switch: prev_comm=bash "
			   "prev_pid=5770 prev_prio=120 prev_state=R+ ==> next_comm=migration/1 next_pid=23 next_prio=0";
	const char *plain = "          <idle>-0       [000] d..2.  2914.555921: sched_switch: prev_comm=swapper/0 "
			    "prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=Web Content next_pid=8463 next_prio=120";
	const char *trace_cmd = "     Web Content-8463  [001]  2914.555925: x86_fpu_regs_activated: x86/fpu: "
				"000000007892f508 load: 1 xfeatures: a02 xcomp_bv: 8000000000000a07";

	CHECK("line/tracefs-with-tgid", parse_line(tgid, &r) == 0 && r.pid == 5770 && r.tgid == 5770 && r.cpu == 1 &&
	      r.type == TRACE_SWITCH && r.other_pid == 23 && strcmp(r.state, "R+") == 0 && strcmp(r.flags, "d..2.") == 0);
	CHECK("line/tracefs-without-tgid", parse_line(plain, &r) == 0 && r.pid == 0 && r.tgid == -1 && r.cpu == 0 &&
	      r.other_pid == 8463 && r.other_comm.length == strlen("Web Content"));
	CHECK("line/trace-cmd-without-flags", parse_line(trace_cmd, &r) == 0 && r.pid == 8463 && r.cpu == 1 &&
	      r.flags[0] == 0 && r.type == TRACE_FPU_ACTIVATED && r.number == 1 && r.argument == 0xa02 &&
	      r.comm.length == strlen("Web Content"));
	CHECK("line/sys-enter", parse_line("  a-7 [000] ..... 1.000001: sys_enter: NR 16 (3, ae80, 0, 0, 0, 0)", &r) == 0 &&
	      r.type == TRACE_SYS_ENTER && r.number == 16 && r.argument == 0xae80);
	CHECK("line/signal-handler", parse_line("  a-7 [000] d..1. 1.000001: signal_deliver: sig=9 errno=0 code=0 "
						"sa_handler=0 sa_flags=0", &r) == 0 && r.type == TRACE_SIGNAL &&
	      r.number == 9 && r.argument == 0);
	CHECK("line/fork", parse_line("  bash-8460 [001] ..... 2914.555793: sched_process_fork: comm=bash pid=8460 "
				      "child_comm=bash child_pid=8470", &r) == 0 && r.type == TRACE_FORK &&
	      r.other_pid == 8470 && r.number == 8460);
	CHECK("line/kvm-fpu-unload", parse_line("  vmm-9 [001] ..... 1.0: kvm_fpu: unload", &r) == 0 &&
	      r.type == TRACE_KVM_FPU && r.number == 0);
	CHECK("line/not-an-event", parse_line("cpus=2", &r) == -1 && parse_line("CPU 0 is empty", &r) == -1);
}

/* A capture from lines; the header says Linux 6.18, 1 CPU, kthread 15. */
static int load(const char *events)
{
	const char *header = "# fpulab-trace capture 1\n# kernel: 6.18.0\n# cpus: 1\n# kthreads: 2 15\n# lost: 0\n";
	size_t n = strlen(header) + strlen(events);
	char *text = malloc(n + 1);

	trace_conversion_free(&conversion);
	trace_capture_free(&capture);
	memcpy(text, header, strlen(header));
	memcpy(text + strlen(header), events, strlen(events) + 1);
	if (trace_capture_parse(&capture, text, n, "unit.trace") != 0)
		return -1;
	return trace_convert(&capture, &conversion);
}

#define SW(prev, prevpid, state, next, nextpid)                                                             \
	"  " prev "-" prevpid " [000] d..2. 1.0: sched_switch: prev_comm=" prev " prev_pid=" prevpid          \
	" prev_prio=120 prev_state=" state " ==> next_comm=" next " next_pid=" nextpid " next_prio=120\n"
#define SAVE(comm, pid) "  " comm "-" pid " [000] d..2. 1.0: x86_fpu_regs_deactivated: x86/fpu: 1 load: 1 xfeatures: 7 xcomp_bv: 0\n"
#define RESTORE(comm, pid) "  " comm "-" pid " [000] d.... 1.0: x86_fpu_regs_activated: x86/fpu: 1 load: 1 xfeatures: 7 xcomp_bv: 0\n"
#define SYSCALL(comm, pid, nr) "  " comm "-" pid " [000] ..... 1.0: sys_enter: NR " nr " (0, 0, 0, 0, 0, 0)\n"

/* Two tasks hand the CPU back and forth: saved at each switch, restored on the way
   back to user space (the first restore of each: before the CPU's owner is known). */
static const char ping_pong[] =
	SW("a", "100", "S", "b", "101") SAVE("a", "100") RESTORE("b", "101") SYSCALL("b", "101", "1")
	SW("b", "101", "S", "a", "100") SAVE("b", "101") RESTORE("a", "100") SYSCALL("a", "100", "0")
	SW("a", "100", "S", "b", "101") SAVE("a", "100") RESTORE("b", "101") SYSCALL("b", "101", "1")
	SW("b", "101", "S", "a", "100") SAVE("b", "101") RESTORE("a", "100") SYSCALL("a", "100", "0");

static int validate_quietly(const struct lab_config *mutant)
{
	FILE *sink = fopen("/dev/null", "w");
	int status = trace_validate(&capture, &conversion, mutant, sink);
	fclose(sink);
	return status;
}

static unsigned count_steps(unsigned field)
{
	unsigned n = 0;
	for (unsigned i = 0; i < conversion.scenario.events; i++)
		n += field == 0 ? conversion.step[i].saves : field == 1 ? conversion.step[i].restores
		     : field == 2 ? conversion.step[i].inferred : conversion.step[i].unknown;
	return n;
}

static void test_capture_header(void)
{
	CHECK("capture/parses", load(ping_pong) == 0 && capture.records == 16 && capture.cpus == 1 &&
	      strcmp(capture.kernel, "6.18.0") == 0 && trace_kernel_version(&capture) == 618);
	CHECK("capture/kthreads-listed", capture.kthreads_known && trace_is_kthread(&capture, 15) &&
	      trace_is_kthread(&capture, 2) && !trace_is_kthread(&capture, 100));
	{
		char why[160];
		strcpy(capture.kernel, "4.19.0");
		CHECK("capture/no-model-before-5.2", trace_kernel_model(&capture, why, sizeof why) == 0 &&
		      strstr(why, "before 5.2") != 0);
		strcpy(capture.kernel, "5.10.0");
		CHECK("capture/k1-before-5.16", trace_kernel_model(&capture, why, sizeof why) ==
		      lab_config_find("deferred+k1-swap-at-run"));
		strcpy(capture.kernel, "6.18.0");
	}
}

static void test_conversion(void)
{
	char path[] = "/tmp/fpulab-test-trace-XXXXXX";
	int fd;

	CHECK("convert/saves-and-restores-attached", load(ping_pong) == 0 && count_steps(0) == 4 && count_steps(1) == 4 &&
	      conversion.unexplained == 0 && conversion.unsupported == 0);
	CHECK("convert/first-restore-not-verifiable", count_steps(3) >= 1);
	CHECK("validate/ping-pong-is-exact", validate_quietly(0) == 0);
	CHECK("validate/a-mutant-is-not", validate_quietly(lab_config_find("eager+kvm-2015")) == 1);
	fd = mkstemp(path);
	if (fd >= 0) {
		FILE *file = fdopen(fd, "w");
		trace_scenario_write(&conversion, file);
		fclose(file);
		file = fopen(path, "r");
		{
			char text[8192];
			size_t n = fread(text, 1, sizeof text - 1, file);
			text[n] = 0;
			CHECK("scenario/declares-assumptions", strstr(text, "assume fpu-use every-user-slice") != 0 &&
			      strstr(text, "source unit.trace") != 0 && strstr(text, "context a-100 user") != 0 &&
			      strstr(text, "switch cpu0 b-101 kernel") != 0 && strstr(text, "# trace line 6") != 0);
		}
		fclose(file);
		unlink(path);
	}
}

#define KVM_FPU(comm, pid, what) "  " comm "-" pid " [000] ..... 1.0: kvm_fpu: " what "\n"

/* Two vCPU threads: each is a vCPU of the lab (the second vmm1, with guest1 and
   guest-task1), nothing is left out. Nine: the lab has eight vCPUs, so the ninth
   thread's swaps (the restore and both kvm_fpu events) are events it cannot model,
   not explained as kernel FPU use, and the capture is never an exact match. */
static void test_second_vcpu(void)
{
	static const char one_vcpu[] =
		SW("a", "100", "S", "v1", "200") SAVE("a", "100") RESTORE("v1", "200")
		KVM_FPU("v1", "200", "load") KVM_FPU("v1", "200", "unload") SYSCALL("v1", "200", "16")
		SW("v1", "200", "S", "v2", "201") SAVE("v1", "200") RESTORE("v2", "201") SYSCALL("v2", "201", "16");
	static const char two_vcpus[] =
		SW("a", "100", "S", "v1", "200") SAVE("a", "100") RESTORE("v1", "200")
		KVM_FPU("v1", "200", "load") KVM_FPU("v1", "200", "unload") SYSCALL("v1", "200", "16")
		SW("v1", "200", "S", "v2", "201") SAVE("v1", "200") RESTORE("v2", "201")
		KVM_FPU("v2", "201", "load") KVM_FPU("v2", "201", "unload") SYSCALL("v2", "201", "16");
	char nine[4096] = "";
	const struct lab_scenario *sc = &conversion.scenario;

	CHECK("convert/one-vcpu-is-modelled", load(one_vcpu) == 0 && conversion.unsupported == 0);
	CHECK("convert/a-second-vcpu-is-modelled", load(two_vcpus) == 0 && conversion.unsupported == 0 &&
	      conversion.inferred_kernel_fpu == 0 && lab_scenario_find_context(sc, "vmm1") >= 0 &&
	      lab_scenario_find_context(sc, "guest1") > lab_scenario_find_context(sc, "guest") &&
	      lab_scenario_find_context(sc, "guest-task1") >= 0);
	for (unsigned k = 0; k < 9; k++) {   /* thread tK (pid 300 + K) switched in, restored, loads its guest */
		char line[600], prev[16];
		unsigned prev_pid = k ? 299 + k : 9;
		if (k)
			snprintf(prev, sizeof prev, "t%u", k - 1);
		else
			strcpy(prev, "x");
		snprintf(line, sizeof line,
			 "  %s-%u [000] d..2. 1.0: sched_switch: prev_comm=%s prev_pid=%u prev_prio=120 prev_state=S ==> "
			 "next_comm=t%u next_pid=%u next_prio=120\n"
			 "  t%u-%u [000] d.... 1.0: x86_fpu_regs_activated: x86/fpu: 1 load: 1 xfeatures: 7 xcomp_bv: 0\n"
			 "  t%u-%u [000] ..... 1.0: kvm_fpu: load\n",
			 prev, prev_pid, prev, prev_pid, k, 300 + k, k, 300 + k, k, 300 + k);
		strcat(nine, line);
	}
	CHECK("convert/vcpus-past-the-labs-are-unsupported", load(nine) == 0 && conversion.unsupported == 2 &&
	      conversion.first_unsupported == 6 + 8 * 3 + 1 && conversion.inferred_kernel_fpu == 0 &&
	      validate_quietly(0) == 1);
}

static void test_verdicts(void)
{
	char text[sizeof ping_pong + 200];
	char *cut;

	/* Linux did not restore a where the model must: a mismatch. */
	strcpy(text, ping_pong);
	cut = strstr(text + strlen(text) / 2, "x86_fpu_regs_activated");
	if (cut) {
		char *start = cut, *end = strchr(cut, '\n') + 1;
		while (start > text && start[-1] != '\n')
			start--;
		memmove(start, end, strlen(end) + 1);
	}
	CHECK("validate/missing-restore-mismatches", load(text) == 0 && validate_quietly(0) == 1);
	/* Lost events: never an exact match. */
	CHECK("validate/lost-events-never-exact", load(ping_pong) == 0 && (capture.lost = 3, validate_quietly(0) == 1));
	/* SIG_DFL: no handler, no frame. */
	CHECK("convert/default-signal-action-is-no-handler",
	      load(SW("x", "9", "S", "a", "100") SYSCALL("a", "100", "62")
		   "  a-100 [000] d..1. 1.0: signal_deliver: sig=9 errno=0 code=0 sa_handler=0 sa_flags=0\n") == 0 &&
	      conversion.scenario.events > 0 && !strstr(conversion.header, "signal"));
	/* A switch logged by a task the capture never showed switched in: the switch to it
	   is assumed, and there is no record to look for its save after (a live
	   recording hit this: the lookup read before the first record). */
	CHECK("convert/switch-by-an-unseen-task",
	      load(SW("x", "9", "S", "a", "100") SW("b", "101", "S", "c", "102")) == 0 && conversion.scenario.events > 0);
	/* A softirq in the task's context migrates another task between the signal and the
	   handler's restore (seen once in a live recording): the restore is still the
	   signal's, and the capture validates exactly. */
	CHECK("convert/migration-of-another-task-keeps-the-signal-open",
	      load(SW("x", "9", "S", "a", "100") RESTORE("a", "100") SYSCALL("a", "100", "62")
		   "  a-100 [000] d..1. 1.0: signal_deliver: sig=10 errno=0 code=0 sa_handler=401000 sa_flags=4000000\n"
		   "  a-100 [000] d.s4. 1.0: sched_migrate_task: comm=rcu_preempt pid=15 prio=120 orig_cpu=1 dest_cpu=0\n"
		   RESTORE("a", "100") SYSCALL("a", "100", "15") RESTORE("a", "100") SYSCALL("a", "100", "3")) == 0 &&
	      validate_quietly(0) == 0);
	/* Handlers nest: each signal and sigreturn is an event, up to LAB_SIGNAL_DEPTH deep;
	   a deeper one is counted as unsupported. */
	{
#define HANDLER_SIGNAL "  a-100 [000] d..1. 1.0: signal_deliver: sig=10 errno=0 code=0 sa_handler=401000 sa_flags=4000000\n"
		unsigned signals = 0, sigreturns = 0;
		load(SW("x", "9", "S", "a", "100") RESTORE("a", "100") HANDLER_SIGNAL HANDLER_SIGNAL
		     SYSCALL("a", "100", "15") SYSCALL("a", "100", "15"));
		for (unsigned i = 0; i < conversion.scenario.events; i++) {
			signals += conversion.scenario.event[i].type == LAB_EV_SIGNAL;
			sigreturns += conversion.scenario.event[i].type == LAB_EV_SIGRETURN;
		}
		CHECK("convert/nested-signals-are-events", signals == 2 && sigreturns == 2 && conversion.unsupported == 0);
		load(SW("x", "9", "S", "a", "100") RESTORE("a", "100") HANDLER_SIGNAL HANDLER_SIGNAL HANDLER_SIGNAL
		     HANDLER_SIGNAL HANDLER_SIGNAL);
		CHECK("convert/signals-deeper-than-the-lab-unsupported", conversion.unsupported == 1);
#undef HANDLER_SIGNAL
	}
	/* A restore with no switch since the task's last return: kernel FPU use assumed. */
	CHECK("convert/restore-without-switch-infers-kernel-fpu",
	      load(SW("x", "9", "S", "a", "100") RESTORE("a", "100") SYSCALL("a", "100", "257") RESTORE("a", "100")
		   SYSCALL("a", "100", "3")) == 0 && count_steps(2) == 1 && count_steps(1) == 2);
	/* A signal's frame needs a restore though a's state was left in cpu0's registers
	   when it blocked: kernel FPU use while the CPU idled, which no event shows (a
	   make -j2 capture): assumed, so the signal's two restores (the task's, the
	   handler's init state) match. */
	CHECK("convert/restore-at-a-signal-infers-kernel-fpu",
	      load(SW("x", "9", "S", "a", "100") RESTORE("a", "100") SYSCALL("a", "100", "0")
		   SW("a", "100", "S", "swapper/0", "0") SAVE("a", "100") SW("swapper/0", "0", "R", "a", "100")
		   "  a-100 [000] d..1. 1.0: signal_deliver: sig=17 errno=0 code=1 sa_handler=401000 sa_flags=4000000\n"
		   RESTORE("a", "100")
		   "  a-100 [000] b.... 1.0: x86_fpu_regs_activated: x86/fpu: 1 load: 0 xfeatures: 7 xcomp_bv: 0\n"
		   SYSCALL("a", "100", "15") RESTORE("a", "100") SYSCALL("a", "100", "3")) == 0 &&
	      count_steps(2) == 1 && validate_quietly(0) == 0);
	/* The save after a sched_switch is logged by the task switched out: it belongs to
	   the switch, not to a switch back to that task. */
	{
		unsigned on_switches = 0;
		load(ping_pong);
		for (unsigned i = 0; i < conversion.scenario.events; i++)
			if (conversion.step[i].saves && conversion.scenario.event[i].type == LAB_EV_SWITCH &&
			    !(conversion.scenario.event[i].arg & LAB_SWITCH_IN_KERNEL ? 0 : 1))
				on_switches += conversion.step[i].saves;
		CHECK("convert/save-belongs-to-the-switch", on_switches == 4);
	}
	/* Kernel threads own no user state: their restore fits no step. */
	CHECK("convert/kthread-restore-unexplained",
	      load(SW("a", "100", "S", "kworker/0:1", "15") RESTORE("kworker/0:1", "15")) == 0 &&
	      conversion.unexplained == 1);
}

/* kvm_entry and kvm_exit (VMX's reason names, SVM's in lower case): exits handled
   inside KVM between the run's kvm_fpu load and unload become vm-exit REASON and
   vm-entry; those that the kvm_fpu events already end or begin add nothing. */
static void test_kvm_entry_exit(void)
{
#define KVM_EVENT(what) "  v1-200 [000] d..2. 1.0: " what "\n"
	static const char text[] =
		SW("a", "100", "S", "v1", "200") SAVE("a", "100") RESTORE("v1", "200")
		KVM_FPU("v1", "200", "load") KVM_EVENT("kvm_entry: vcpu 0, rip 0x1000")
		KVM_EVENT("kvm_exit: vcpu 0 reason EXTERNAL_INTERRUPT rip 0x1000 info1 0x0 info2 0x0 intr_info 0x800000ec error_code 0x0")
		KVM_EVENT("kvm_entry: vcpu 0, rip 0x1000")
		KVM_EVENT("kvm_exit: vcpu 0 reason cpuid rip 0x1002 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0")
		KVM_EVENT("kvm_entry: vcpu 0, rip 0x1004")
		KVM_EVENT("kvm_exit: vcpu 0 reason IO_INSTRUCTION rip 0x1006 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0")
		RESTORE("v1", "200") KVM_FPU("v1", "200", "unload") SYSCALL("v1", "200", "16");
	unsigned entries = 0, exits = 0, reasons_right = 0;
	static const uint8_t expected[] = { LAB_EXIT_INTR, LAB_EXIT_CPUID, LAB_EXIT_IO };

	load(text);
	for (unsigned i = 0; i < conversion.scenario.events; i++) {
		const struct lab_event *e = &conversion.scenario.event[i];
		entries += e->type == LAB_EV_VM_ENTRY;
		if (e->type == LAB_EV_VM_EXIT) {
			reasons_right += exits < 3 && e->arg == expected[exits];
			exits++;
		}
	}
	CHECK("convert/kvm-exits-inside-the-run", conversion.unsupported == 0 && entries == 3 && exits == 3 &&
	      reasons_right == 3 && validate_quietly(0) == 0);
#undef KVM_EVENT
}

int trace_synth(unsigned long events, FILE *out);

/* The scenario's uses: those of user slices, and the guest's (right after an entry). */
static void count_uses(unsigned *user, unsigned *guest)
{
	*user = *guest = 0;
	for (unsigned i = 0; i < conversion.scenario.events; i++) {
		const struct lab_event *e = &conversion.scenario.event[i];
		bool after_entry = i && (e[-1].type == LAB_EV_VM_ENTRY || e[-1].type == LAB_EV_GUEST_SWITCH);
		if (e->type == LAB_EV_USE)
			(after_entry ? guest : user)[0]++;
	}
}

static int convert_synth_with(unsigned percent, uint32_t seed, unsigned *user, unsigned *guest)
{
	const struct trace_convert_options options = { .fpu_use_percent = percent, .seed = seed };
	char *text = 0;
	size_t size = 0;
	FILE *memory = open_memstream(&text, &size);
	int status;

	trace_conversion_free(&conversion);
	trace_capture_free(&capture);
	status = trace_synth(3000, memory) == 0 && fclose(memory) == 0 &&
		 trace_capture_parse(&capture, text, size, "synth.trace") == 0 &&
		 trace_convert_with(&capture, &options, &conversion) == 0 ? 0 : -1;
	count_uses(user, guest);
	return status;
}

/* --fpu-use: the share of user slices that use the FPU, drawn from a seed and
   declared; the guest still uses it at every entry. */
static void test_fpu_use_share(void)
{
	const struct trace_convert_options none = { .fpu_use_percent = 0, .seed = 1 };
	unsigned all, half, half_again, other_seed, guest, guest_none, unused;
	char assumption[LAB_ASSUMPTION_SIZE];

	CHECK("fpu-use/every-slice-by-default", convert_synth_with(100, 1, &all, &unused) == 0 && all > 500 &&
	      strstr(conversion.header, "assume fpu-use every-user-slice") != 0);
	CHECK("fpu-use/half-of-them", convert_synth_with(50, 1, &half, &unused) == 0 &&
	      half * 10 > all * 4 && half * 10 < all * 6);
	snprintf(assumption, sizeof assumption, "%s", conversion.scenario.assumption[0]);
	CHECK("fpu-use/declared-with-its-seed", strcmp(assumption, "fpu-use=50%-of-user-slices,seed=1") == 0);
	CHECK("fpu-use/the-seed-decides", convert_synth_with(50, 1, &half_again, &unused) == 0 && half_again == half &&
	      convert_synth_with(50, 2, &other_seed, &unused) == 0 && other_seed != half);
	load(SW("x", "9", "S", "vmm", "200") RESTORE("vmm", "200") "  vmm-200 [000] ..... 1.0: kvm_fpu: load\n"
	     "  vmm-200 [000] ..... 1.0: kvm_fpu: unload\n" "  vmm-200 [000] ..... 1.0: kvm_fpu: load\n"
	     "  vmm-200 [000] ..... 1.0: kvm_fpu: unload\n");
	count_uses(&unused, &guest);
	trace_conversion_free(&conversion);
	CHECK("fpu-use/the-guest-at-every-entry", guest == 2 &&
	      trace_convert_with(&capture, &none, &conversion) == 0 &&
	      (count_uses(&unused, &guest_none), guest_none == guest && unused == 0));
}

/* A temporary file holding text; its path in path (a mkstemp template). */
static int write_temporary(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *file = fd >= 0 ? fdopen(fd, "w") : 0;
	if (!file)
		return -1;
	fputs(text, file);
	return fclose(file);
}

/* The weights of a log's `weights` record; error gets the reason where there are none. */
static int weights_from_text(const char *text, struct lab_cost_weights *weights, char *error, size_t size)
{
	char path[] = "/tmp/fpulab-test-weights-XXXXXX";
	int status = write_temporary(path, text) == 0 ? trace_weights_load(path, weights, error, size) : -2;
	unlink(path);
	return status;
}

#define WEIGHTS_RECORD(save, ipi)                                                                            \
	"# weights {\"schema\":1,\"source\":\"measured+default\",\"weights\":{\"save\":{\"ticks\":" save \
	",\"from\":\"xsave/xsaveopt/x87-sse/modified\"},\"restore\":{\"ticks\":271,\"from\":\"x\"},"            \
	"\"per_64_bytes\":{\"ticks\":1,\"from\":\"x\"},\"nm_trap\":{\"ticks\":400,\"from\":\"default\"},"     \
	"\"cr0_write\":{\"ticks\":60,\"from\":\"default\"},\"msr_write\":{\"ticks\":120,\"from\":\"default\"}," \
	"\"xsetbv\":{\"ticks\":200,\"from\":\"default\"},\"vm_exit\":{\"ticks\":1200,\"from\":\"default\"}" ipi "}}"

/* fpulab's cost_cycles in a replay of the loaded conversion under the active weights. */
static unsigned long long replayed_fpulab_cost(void)
{
	char *text = 0, *at;
	size_t size = 0;
	FILE *memory = open_memstream(&text, &size);
	unsigned long long cost = 0;

	trace_replay(&capture, &conversion, 0, memory);
	fclose(memory);
	at = text ? strstr(text, "\"policy\":\"fpulab\"") : 0;
	if (at && (at = strstr(at, "\"cost_cycles\":")))
		cost = strtoull(at + strlen("\"cost_cycles\":"), 0, 10);
	free(text);
	return cost;
}

/* replay --weights: the last `weights` record of a log, every weight required, and a
   replay under doubled weights costs exactly twice as much. */
static void test_weights(void)
{
	struct lab_cost_weights w, doubled = lab_default_weights;
	char error[200] = "";
	unsigned long long cost;

	memset(&w, 0, sizeof w);
	CHECK("weights/the-last-record-of-the-log",
	      weights_from_text("TAP version 14\n" WEIGHTS_RECORD("99", ",\"ipi\":{\"ticks\":1,\"from\":\"default\"}") "\n"
				"ok 1 - lab/cost-weights\n" WEIGHTS_RECORD("122", ",\"ipi\":{\"ticks\":2000,\"from\":\"default\"}") "\r\n",
				&w, error, sizeof error) == 0 &&
	      w.save_base == 122 && w.restore_base == 271 && w.per_64_bytes == 1 && w.nm_trap == 400 &&
	      w.cr0_write == 60 && w.msr_write == 120 && w.xsetbv == 200 && w.vm_exit == 1200 && w.ipi == 2000);
	CHECK("weights/a-log-without-a-record-is-refused",
	      weights_from_text("TAP version 14\nok 1 - lab/cost-weights # SKIP no primitive ran\n", &w, error,
				sizeof error) == -1 && strstr(error, "no `weights` record"));
	CHECK("weights/a-missing-weight-is-named",
	      weights_from_text(WEIGHTS_RECORD("122", "") "\n", &w, error, sizeof error) == -1 &&
	      strstr(error, "no ticks for ipi"));
	CHECK("weights/a-free-save-is-refused",
	      weights_from_text(WEIGHTS_RECORD("0", ",\"ipi\":{\"ticks\":2000,\"from\":\"default\"}") "\n", &w, error,
				sizeof error) == -1 && strstr(error, "free"));
	for (unsigned i = 0; i < LAB_WEIGHTS; i++)
		*lab_weight_at(&doubled, i) *= 2;
	CHECK("weights/replay-costs-with-them", load(ping_pong) == 0 && (cost = replayed_fpulab_cost()) > 0 &&
	      (lab_weights_use(&doubled), replayed_fpulab_cost() == 2 * cost));
	lab_weights_use(0);
}

/* The lab at scale: a synthetic capture of 1200 tasks becomes a scenario of more than
   100,000 events and 1,000 contexts, and every configuration replays it (intact but
   for the known-broken ones, never below the oracle). */
static void test_scale(void)
{
	char *text = 0;
	size_t size = 0;
	FILE *memory = open_memstream(&text, &size), *sink = fopen("/dev/null", "w");

	trace_conversion_free(&conversion);
	trace_capture_free(&capture);
	CHECK("scale/synth", trace_synth(130000, memory) == 0 && fclose(memory) == 0 && size > 0);
	CHECK("scale/parse-and-convert", trace_capture_parse(&capture, text, size, "synth.trace") == 0 &&
	      trace_convert(&capture, &conversion) == 0);
	CHECK("scale/over-100000-events-and-1000-contexts", conversion.scenario.events > 100000 &&
	      conversion.scenario.contexts > 1000);
	CHECK("scale/every-configuration-replays-it", trace_replay(&capture, &conversion, 0, sink) == 0);
	CHECK("scale/validates-exactly", trace_validate(&capture, &conversion, 0, sink) == 0);
	fclose(sink);
}

int main(void)
{
	unit_begin();
	test_lines();
	test_fpu_use_share();
	test_capture_header();
	test_conversion();
	test_verdicts();
	test_second_vcpu();
	test_kvm_entry_exit();
	test_weights();
	test_scale();
	trace_conversion_free(&conversion);
	trace_capture_free(&capture);
	return unit_end();
}
