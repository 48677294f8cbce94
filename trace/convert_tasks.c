/* The converter's first pass: every task of the capture (one per life of a pid; the
   idle task of each CPU), its kind and its lab context; then the scenario's
   directives: cpus, source, the assumptions, the contexts (threads of one process
   share a protection domain). And the line writer both passes use: every line goes
   through the lab's parser, every event through the lab's event model. */
#include "trace/convert.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct pid_map {
	int32_t *key, *value;
	size_t capacity;
};

static size_t slot_of(const struct pid_map *map, int32_t pid)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (map->capacity - 1);
	while (map->key[i] != -1 && map->key[i] != pid)
		i = (i + 1) & (map->capacity - 1);
	return i;
}

static int32_t task_of(const struct pid_map *map, int32_t pid)
{
	size_t i = slot_of(map, pid);
	return map->key[i] == pid ? map->value[i] : -1;
}

static void set_task(struct pid_map *map, int32_t pid, int32_t task)
{
	size_t i = slot_of(map, pid);
	map->key[i] = pid;
	map->value[i] = task;
}

/* Kernel threads by name, when the capture has no list (trace-cmd). */
static int looks_like_kthread(const char *comm, size_t length)
{
	static const char *const prefixes[] = {
		"kworker/", "ksoftirqd/", "migration/", "rcu_", "kthreadd", "watchdog/", "cpuhp/", "idle_inject/",
		"irq/", "jbd2/", "kcompactd", "kswapd", "khugepaged", "oom_reaper", "kauditd", "kblockd", "writeback",
	};
	for (unsigned i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i]);
		if (length >= n && memcmp(comm, prefixes[i], n) == 0)
			return 1;
	}
	return 0;
}

static void name_task(struct converter *cv, struct task *t, struct trace_text comm)
{
	const char *text = cv->capture->text + comm.offset;
	char clean[16];
	size_t n = comm.length < 15 ? comm.length : 15;

	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		clean[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				   c == '_' || c == '.' || c == '+' || c == '-' ? c : '_';
	}
	clean[n] = 0;
	snprintf(t->name, sizeof t->name, "%s-%d", n ? clean : "task", t->pid);
	for (size_t other = 0, copy = 2; other + 1 < cv->tasks; other++)
		if (strcmp(cv->task[other].name, t->name) == 0) {
			snprintf(t->name, sizeof t->name, "%s-%d.%zu", n ? clean : "task", t->pid, copy++);
			other = (size_t)-1;
		}
}

static int32_t new_task(struct converter *cv, int32_t pid, struct trace_text comm, unsigned kind)
{
	struct task *t;

	cv->task = realloc(cv->task, (cv->tasks + 1) * sizeof *cv->task);
	if (!cv->task)
		return -1;
	t = &cv->task[cv->tasks++];
	memset(t, 0, sizeof *t);
	t->pid = pid;
	t->tgid = -1;
	t->kind = (uint8_t)kind;
	t->alive = 1;
	t->tif_known = 1;   /* switched out before the capture: TIF_NEED_FPU_LOAD set */
	t->last_cpu = t->fpu_cpu = -1;
	name_task(cv, t, comm);
	return (int32_t)(cv->tasks - 1);
}

static unsigned kind_of(const struct converter *cv, int32_t pid, struct trace_text comm, int32_t parent)
{
	const struct trace_capture *c = cv->capture;
	if (c->kthreads_known ? trace_is_kthread(c, pid) : looks_like_kthread(c->text + comm.offset, comm.length))
		return LAB_KTHREAD;
	if (parent >= 0 && cv->task[parent].kind == LAB_KTHREAD)
		return LAB_KTHREAD;
	return LAB_USER;
}

int32_t convert_idle_task(const struct converter *cv, unsigned cpu)
{
	for (size_t i = 0; i < cv->tasks; i++)
		if (cv->task[i].kind == LAB_IDLE && cv->task[i].last_cpu == (int16_t)cpu)
			return (int32_t)i;
	return -1;
}

/* The task a pid names in record r (the idle task of r's CPU for pid 0); a fork's
   child of an exited task starts a new one. */
static int32_t lookup(struct converter *cv, struct pid_map *map, const struct trace_record *r, int32_t pid,
		      struct trace_text comm, int fork_child, int32_t parent)
{
	int32_t t;

	if (pid == 0) {
		t = convert_idle_task(cv, r->cpu);
		if (t < 0 && (t = new_task(cv, 0, comm, LAB_IDLE)) >= 0) {
			cv->task[t].last_cpu = (int16_t)r->cpu;
			snprintf(cv->task[t].name, sizeof cv->task[t].name, r->cpu == 0 ? "idle" : r->cpu == 1 ? "idle1" : "idle%u",
				 r->cpu);
		}
		return t;
	}
	t = task_of(map, pid);
	if (t >= 0 && !(fork_child && cv->task[t].exited))
		return t;
	t = new_task(cv, pid, comm, kind_of(cv, pid, comm, parent));
	if (t >= 0)
		set_task(map, pid, t);
	return t;
}

/* The vCPU threads: the pids with kvm_fpu events, in the order of their first, as
   many as the lab has vCPUs; *count of them. */
static void vcpu_thread_pids(const struct trace_capture *c, int32_t pid[LAB_MAX_VCPUS], unsigned *count)
{
	*count = 0;
	for (size_t i = 0; i < c->records && *count < LAB_MAX_VCPUS; i++) {
		unsigned k = 0;
		if (c->record[i].type != TRACE_KVM_FPU)
			continue;
		while (k < *count && pid[k] != c->record[i].pid)
			k++;
		if (k == *count)
			pid[(*count)++] = c->record[i].pid;
	}
}

/* Task t is a vCPU thread when its pid is one of them: the first pid's is `vmm`
   (vcpu 0); the others are numbered in the order declare() writes them. */
static void mark_vcpu(struct converter *cv, int32_t t, const int32_t *pid, unsigned count, int32_t record_pid)
{
	struct task *x = &cv->task[t];

	if (x->kind != LAB_USER)
		return;
	for (unsigned k = 0; k < count; k++)
		if (pid[k] == record_pid) {
			x->kind = LAB_VMM;
			x->vcpu = k != 0;
			if (k == 0) {
				cv->vmm = t;
				snprintf(x->name, sizeof x->name, "vmm");
			}
			return;
		}
}

/* Every record's tasks, in the order they first appear. */
static int collect(struct converter *cv)
{
	const struct trace_capture *c = cv->capture;
	struct pid_map map;
	int32_t vcpu_pid[LAB_MAX_VCPUS];

	vcpu_thread_pids(c, vcpu_pid, &cv->vcpus);

	map.capacity = 1024;
	while (map.capacity < 2 * c->records + 16)
		map.capacity *= 2;
	map.key = malloc(map.capacity * sizeof *map.key);
	map.value = malloc(map.capacity * sizeof *map.value);
	cv->record_task = malloc(c->records * sizeof *cv->record_task);
	cv->record_other = malloc(c->records * sizeof *cv->record_other);
	if (!map.key || !map.value || !cv->record_task || !cv->record_other)
		return -1;
	memset(map.key, 0xff, map.capacity * sizeof *map.key);
	cv->vmm = -1;
	for (size_t i = 0; i < c->records; i++) {
		const struct trace_record *r = &c->record[i];
		int32_t t = lookup(cv, &map, r, r->pid, r->comm, 0, -1), other = -1;
		if (t < 0)
			return -1;
		if (r->tgid >= 0 && cv->task[t].tgid < 0)
			cv->task[t].tgid = r->tgid;
		if (r->type == TRACE_SWITCH)
			other = lookup(cv, &map, r, r->other_pid, r->other_comm, 0, -1);
		if (r->type == TRACE_FORK)
			other = lookup(cv, &map, r, r->other_pid, r->other_comm, 1, t);
		if (r->type == TRACE_EXIT)
			cv->task[t].exited = 1;
		if ((r->type == TRACE_SWITCH || r->type == TRACE_FORK) && other < 0)
			return -1;
		mark_vcpu(cv, t, vcpu_pid, cv->vcpus, r->pid);
		cv->record_task[i] = t;
		cv->record_other[i] = other;
	}
	for (size_t i = 0; i < cv->tasks; i++)
		cv->task[i].exited = 0;   /* pass 2 follows the lives again */
	free(map.key);
	free(map.value);
	return 0;
}

static int append_header(struct converter *cv, const char *text)
{
	size_t n = strlen(text);
	if (cv->header_used + n + 2 > cv->header_size) {
		cv->header_size = 2 * (cv->header_size + n + 2);
		cv->header = realloc(cv->header, cv->header_size);
		if (!cv->header)
			return -1;
	}
	memcpy(cv->header + cv->header_used, text, n);
	cv->header_used += n;
	cv->header[cv->header_used++] = '\n';
	cv->header[cv->header_used] = 0;
	return 0;
}

static int grow_events(struct trace_conversion *out)
{
	unsigned capacity = out->storage.events ? 2 * out->storage.events : 4096;
	struct lab_event *event = realloc(out->storage.event, capacity * sizeof *event);
	struct trace_step *step = realloc(out->step, capacity * sizeof *step);

	if (event)
		out->storage.event = out->scenario.event = event;
	if (step)
		out->step = step;
	if (!event || !step)
		return -1;
	out->storage.events = capacity;
	return 0;
}

int convert_line(struct converter *cv, unsigned class, uint32_t trace_line, const char *format, ...)
{
	struct trace_conversion *out = cv->out;
	struct lab_parse_error error;
	char text[160];
	unsigned events = out->scenario.events;
	va_list arguments;

	va_start(arguments, format);
	vsnprintf(text, sizeof text, format, arguments);
	va_end(arguments);
	if (out->scenario.events == out->storage.events && grow_events(out) != 0)
		return snprintf(out->error, sizeof out->error, "out of memory at %u events", events), -2;
	if (lab_scenario_parse_line(&out->scenario, text, strlen(text), ++cv->text_line, &error) != 0) {
		snprintf(out->error, sizeof out->error, "the converter wrote '%.50s': %.80s", text, error.message);
		return -2;
	}
	if (out->scenario.events == events)
		return append_header(cv, text) == 0 ? 0 : -2;   /* a directive */
	if (lab_model_step(&cv->model, events) != 0) {
		out->scenario.events = events;
		cv->text_line--;
		cv->model.error[0] = 0;
		if (!out->unsupported++)
			out->first_unsupported = trace_line;
		return -1;
	}
	memset(&out->step[events], 0, sizeof out->step[events]);
	out->step[events].line = trace_line;
	out->step[events].class = (uint8_t)class;
	return (int)events;
}

static int allocate_storage(struct trace_conversion *out, unsigned contexts)
{
	struct lab_storage *s = &out->storage;

	s->contexts = contexts;
	s->decl = calloc(contexts, sizeof *s->decl);
	s->model = calloc(contexts, sizeof *s->model);
	s->state = calloc(contexts, sizeof *s->state);
	s->area = calloc(LAB_STATE_LEVELS * (size_t)contexts, sizeof *s->area);
	s->oracle = calloc(LAB_STATE_LEVELS * (size_t)contexts, sizeof *s->oracle);
	return s->decl && s->model && s->state && s->area && s->oracle && grow_events(out) == 0 ? 0 : -1;
}

/* The halves of vCPU k past the first, declared after every task so that the k-th
   `guest` context is the k-th `vmm` one's (lab/model.c): guestK, of the first one's
   domain when the thread is of the first one's process (one guest), and guest-taskK,
   the task it runs. */
static int declare_guests(struct converter *cv, unsigned vcpus)
{
	int status = 0;

	for (unsigned k = 1; k < vcpus && !status; k++) {
		char task[LAB_NAME_SIZE];
		int same_process = 0;
		for (size_t i = 0; i < cv->tasks; i++)
			if (cv->task[i].kind == LAB_VMM && cv->task[i].vcpu == k && cv->vmm >= 0)
				same_process = cv->task[i].tgid >= 0 && cv->task[i].tgid == cv->task[cv->vmm].tgid;
		status |= convert_line(cv, 0, 0, same_process ? "context guest%u guest domain guest" : "context guest%u guest",
				       k) < 0;
		snprintf(task, sizeof task, "guest-task%u", k);
		if (lab_scenario_find_context(&cv->out->scenario, task) < 0)
			status |= convert_line(cv, 0, 0, "context %s guest-user", task) < 0;
	}
	return status;
}

static int declare(struct converter *cv)
{
	const struct trace_capture *c = cv->capture;
	unsigned vcpus = 1;
	int status = 0;

	status |= convert_line(cv, 0, 0, "cpus %u", c->cpus ? c->cpus : 1) < 0;
	status |= convert_line(cv, 0, 0, "source %s", c->source) < 0;
	if (cv->options->fpu_use_percent >= 100)
		status |= convert_line(cv, 0, 0, "assume fpu-use every-user-slice") < 0;
	else
		status |= convert_line(cv, 0, 0, "assume fpu-use %u%%-of-user-slices,seed=%u",
				       cv->options->fpu_use_percent, (unsigned)cv->options->seed) < 0;
	status |= convert_line(cv, 0, 0, "assume kernel-fpu inferred-from-restores") < 0;
	status |= convert_line(cv, 0, 0, "assume start-state unknown") < 0;
	status |= convert_line(cv, 0, 0, "assume returns restore,syscall,preempted") < 0;
	status |= convert_line(cv, 0, 0, "assume missing-switches synthesised") < 0;
	status |= convert_line(cv, 0, 0, "assume kthreads %s", c->kthreads_known ? "listed" : "by-name") < 0;
	if (cv->vmm >= 0)
		status |= convert_line(cv, 0, 0, "assume guest-fpu every-entry") < 0;
	for (size_t i = 0; i < cv->tasks && !status; i++) {
		struct task *t = &cv->task[i];
		int found;
		if (t->kind == LAB_VMM && t->vcpu) {   /* numbered as declared: the k-th vmm context is vmmK */
			t->vcpu = (uint8_t)vcpus++;
			snprintf(t->name, sizeof t->name, "vmm%u", t->vcpu);
			if (cv->vmm >= 0 && t->tgid >= 0 && t->tgid == cv->task[cv->vmm].tgid) {
				status |= convert_line(cv, 0, 0, "context %s vmm domain vmm", t->name) < 0;
				goto declared;
			}
		}
		found = lab_scenario_find_context(&cv->out->scenario, t->name);
		if (found >= 0) {          /* predeclared: idle, idle1, vmm */
			t->ctx = (uint16_t)found;
			continue;
		}
		for (size_t j = 0; j < i && t->tgid >= 0 && t->kind == LAB_USER; j++)
			if (cv->task[j].tgid == t->tgid && cv->task[j].kind == LAB_USER) {
				status |= convert_line(cv, 0, 0, "context %s user domain %s", t->name, cv->task[j].name) < 0;
				goto declared;
			}
		status |= convert_line(cv, 0, 0, "context %s %s", t->name, lab_context_kind_name(t->kind)) < 0;
declared:
		t->ctx = (uint16_t)(cv->out->scenario.contexts - 1);
	}
	if (!status)
		status |= declare_guests(cv, vcpus);
	return status ? -1 : 0;
}

/* The contexts a scenario has besides its tasks': the predeclared ones, and a guest and
   a guest task for each vCPU past the first. */
#define EXTRA_CONTEXTS (12 + 2 * (LAB_MAX_VCPUS - 1))

int convert_tasks(struct converter *cv)
{
	struct trace_conversion *out = cv->out;

	if (collect(cv) != 0)
		return snprintf(out->error, sizeof out->error, "out of memory for the tasks"), -1;
	if (cv->tasks + EXTRA_CONTEXTS > LAB_MAX_CONTEXTS)
		return snprintf(out->error, sizeof out->error, "%zu tasks: the lab has room for %u contexts", cv->tasks,
				LAB_MAX_CONTEXTS - EXTRA_CONTEXTS), -1;
	if (allocate_storage(out, (unsigned)cv->tasks + EXTRA_CONTEXTS) != 0)
		return snprintf(out->error, sizeof out->error, "out of memory for the scenario"), -1;
	lab_scenario_begin(&out->scenario, cv->capture->source, &out->storage);
	lab_model_init(&cv->model, &out->scenario, 0, 0, 0);
	if (declare(cv) != 0)
		return -1;
	lab_model_init(&cv->model, &out->scenario, 0, 0, 0);   /* every context is declared now */
	return 0;
}
