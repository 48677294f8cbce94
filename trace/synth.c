/* A synthetic capture for the replay benchmark (make bench-trace) and the lab's scale
   test: EVENTS lines of tracefs text that look like a busy two-CPU machine: 1200 AVX
   tasks (600 on each CPU) taking turns, with system calls, a save at each switch and
   a restore at each return, a kernel thread now and then, and signals with handlers:
   what Linux's deferred loading would do, so it validates exactly. Deterministic. */
#include "trace/trace.h"

#define TASKS_PER_CPU 600

static unsigned long events_written;
static unsigned long long now_us = 1000000;

static void line(FILE *out, const char *comm, int pid, unsigned cpu, const char *flags, const char *text)
{
	now_us += 3;
	fprintf(out, "%16s-%-7d (%7d) [%03u] %s %6llu.%06llu: %s\n", comm, pid, pid, cpu, flags, now_us / 1000000,
		now_us % 1000000, text);
	events_written++;
}

static void switch_to(FILE *out, unsigned cpu, int *current, int next, const char *next_comm)
{
	char text[200];
	snprintf(text, sizeof text, "sched_switch: prev_comm=t prev_pid=%d prev_prio=120 prev_state=S ==> "
		 "next_comm=%s next_pid=%d next_prio=120", *current, next_comm, next);
	line(out, *current ? "t" : "<idle>", *current, cpu, "d..2.", text);
	if (*current >= 1000)
		line(out, "t", *current, cpu, "d..2.", "x86_fpu_regs_deactivated: x86/fpu: 0000000000000001 load: 1 "
		     "xfeatures: 207 xcomp_bv: 8000000000000207");
	*current = next;
}

int trace_synth(unsigned long events, FILE *out)
{
	int current[2] = { 0, 0 };
	unsigned long round = 0;

	events_written = 0;   /* each call writes the same capture */
	now_us = 1000000;
	fprintf(out, "# fpulab-trace capture 1\n# kernel: 6.18.0-synthetic\n# cpus: 2\n# kthreads: 2 15 24\n# lost: 0\n");
	while (events_written < events) {
		unsigned cpu = (unsigned)(round & 1);
		int pid = 1000 + (int)(cpu * TASKS_PER_CPU + round / 2 % TASKS_PER_CPU);
		char text[160];

		if (round % 97 == 5) {
			switch_to(out, cpu, &current[cpu], 15, "rcu_preempt");
		}
		switch_to(out, cpu, &current[cpu], pid, "t");
		line(out, "t", pid, cpu, "d....", "x86_fpu_regs_activated: x86/fpu: 0000000000000001 load: 1 xfeatures: 207 "
		     "xcomp_bv: 8000000000000207");
		snprintf(text, sizeof text, "sys_enter: NR 1 (4, %lx, 1, 0, 0, 0)", round);
		line(out, "t", pid, cpu, ".....", text);
		if (round % 211 == 7) {
			line(out, "t", pid, cpu, ".....", "sys_enter: NR 62 (0, a, 0, 0, 0, 0)");
			line(out, "t", pid, cpu, "d..1.", "signal_deliver: sig=10 errno=0 code=0 sa_handler=4005d0 sa_flags=4000000");
			line(out, "t", pid, cpu, "b....", "x86_fpu_regs_activated: x86/fpu: 0000000000000001 load: 0 "
			     "xfeatures: 0 xcomp_bv: 8000000000000207");
			line(out, "t", pid, cpu, ".....", "sys_enter: NR 15 (0, 0, 0, 0, 0, 0)");
			line(out, "t", pid, cpu, "b....", "x86_fpu_regs_activated: x86/fpu: 0000000000000001 load: 0 "
			     "xfeatures: 207 xcomp_bv: 8000000000000207");
		}
		snprintf(text, sizeof text, "sys_enter: NR 0 (5, %lx, 1, 0, 0, 0)", round);
		line(out, "t", pid, cpu, ".....", text);
		round++;
	}
	return ferror(out) ? -1 : 0;
}
