/* A capture (docs/tracing.md "Capture format"): fpulab-trace's header lines, then
   the tracefs `trace` text (with or without the TGID column), or `trace-cmd report`
   output (with or without the flags column). Every event line becomes one
   trace_record; the text stays in memory so that a record can be shown again. */
#define _GNU_SOURCE
#include "trace/trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; uint8_t type; } event_types[] = {
	{ "sched_switch", TRACE_SWITCH }, { "sched_migrate_task", TRACE_MIGRATE },
	{ "sched_process_fork", TRACE_FORK }, { "sched_process_exit", TRACE_EXIT },
	{ "sched_process_exec", TRACE_EXEC }, { "signal_deliver", TRACE_SIGNAL }, { "sys_enter", TRACE_SYS_ENTER },
	{ "x86_fpu_regs_activated", TRACE_FPU_ACTIVATED }, { "x86_fpu_regs_deactivated", TRACE_FPU_DEACTIVATED },
	{ "x86_fpu_copy_dst", TRACE_FPU_COPY_DST }, { "x86_fpu_dropped", TRACE_FPU_DROPPED },
	{ "kvm_fpu", TRACE_KVM_FPU }, { "kvm_entry", TRACE_KVM_ENTRY }, { "kvm_exit", TRACE_KVM_EXIT },
	{ "kvm_userspace_exit", TRACE_KVM_USERSPACE_EXIT },
};

const char *trace_event_name(unsigned type)
{
	for (unsigned i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
		if (event_types[i].type == type)
			return event_types[i].name;
	return type == TRACE_FPU_OTHER ? "x86_fpu" : "other";
}

static unsigned event_type(const char *name, size_t length)
{
	for (unsigned i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
		if (strlen(event_types[i].name) == length && memcmp(event_types[i].name, name, length) == 0)
			return event_types[i].type;
	if (length > 8 && memcmp(name, "x86_fpu_", 8) == 0)
		return TRACE_FPU_OTHER;
	return TRACE_OTHER;
}

/* The value after key inside [text, end): its start, or 0. */
static const char *after(const char *text, const char *end, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p + n <= end; p++)
		if (memcmp(p, key, n) == 0 && (p == text || p[-1] == ' ' || key[0] == ' '))
			return p + n;
	return 0;
}

static long long number_after(const char *text, const char *end, const char *key, int base, long long fallback)
{
	const char *p = after(text, end, key);
	return p ? strtoll(p, 0, base) : fallback;
}

static struct trace_text text_of(uint32_t offset, const char *start, const char *stop)
{
	struct trace_text t = { offset, (uint32_t)(stop - start) };
	return t;
}

/* key=VALUE up to " stop_key" (names may hold blanks), as a piece of the text. */
static struct trace_text comm_after(const char *line, uint32_t base, const char *end, const char *key,
				    const char *stop_key)
{
	const char *p = after(line, end, key), *q = p ? after(p, end, stop_key) : 0;
	struct trace_text none = { 0, 0 };
	if (!p || !q)
		return none;
	q -= strlen(stop_key);
	return text_of(base + (uint32_t)(p - line), p, q);
}

static void parse_fields(struct trace_record *r, const char *line, uint32_t base, const char *f, const char *end)
{
	switch (r->type) {
	case TRACE_SWITCH: {
		const char *state = after(f, end, "prev_state=");
		r->other_pid = (int32_t)number_after(f, end, "next_pid=", 10, -1);
		r->other_comm = comm_after(line, base, end, "next_comm=", " next_pid=");
		for (unsigned i = 0; state && i < 3 && state < end && state[i] != ' '; i++)
			r->state[i] = state[i];
		break;
	}
	case TRACE_FORK:
		r->other_pid = (int32_t)number_after(f, end, "child_pid=", 10, -1);
		r->other_comm = comm_after(line, base, end, "child_comm=", " child_pid=");
		r->number = (int32_t)number_after(f, end, "pid=", 10, -1);   /* the parent */
		break;
	case TRACE_EXIT:
	case TRACE_EXEC:
		r->other_pid = (int32_t)number_after(f, end, "pid=", 10, -1);
		break;
	case TRACE_MIGRATE:
		r->number = (int32_t)number_after(f, end, "pid=", 10, -1);
		r->other_pid = (int32_t)number_after(f, end, "dest_cpu=", 10, -1);
		break;
	case TRACE_SIGNAL:
		r->number = (int32_t)number_after(f, end, "sig=", 10, -1);
		r->argument = (uint64_t)number_after(f, end, "sa_handler=", 16, 0);   /* 0 SIG_DFL, 1 SIG_IGN */
		break;
	case TRACE_SYS_ENTER: {
		const char *args = after(f, end, "(");
		r->number = (int32_t)number_after(f, end, "NR ", 10, -1);
		if (args && (args = memchr(args, ',', (size_t)(end - args))))
			r->argument = strtoull(args + 1, 0, 16);
		break;
	}
	case TRACE_FPU_ACTIVATED:
	case TRACE_FPU_DEACTIVATED:
	case TRACE_FPU_COPY_DST:
	case TRACE_FPU_DROPPED:
	case TRACE_FPU_OTHER:
		r->number = (int32_t)number_after(f, end, "load: ", 10, -1);
		r->argument = (uint64_t)number_after(f, end, "xfeatures: ", 16, 0);
		break;
	case TRACE_KVM_FPU:
		r->number = after(f, end, "unload") ? 0 : 1;
		break;
	case TRACE_KVM_EXIT: {
		const char *reason = after(f, end, "reason ");
		const char *stop = reason;
		while (stop && stop < end && *stop != ' ')
			stop++;
		if (reason)
			r->other_comm = text_of(base + (uint32_t)(reason - line), reason, stop);
		break;
	}
	}
}

/* "  TASK-PID (TGID) [CPU] FLAGS TIMESTAMP: EVENT: FIELDS"; the TGID and FLAGS columns
   may be missing. base: the line's offset in the capture. */
int trace_record_parse(const char *line, size_t length, struct trace_record *r, uint32_t base)
{
	const char *end = line + length, *open = 0, *p, *task_end, *dash, *name;

	memset(r, 0, sizeof *r);
	r->tgid = -1;
	r->other_pid = -1;
	for (p = line; p + 3 < end; p++)
		if (p[0] == ' ' && p[1] == '[' && p[2] >= '0' && p[2] <= '9') {
			open = p + 1;
			break;
		}
	if (!open)
		return -1;
	r->cpu = (uint16_t)strtoul(open + 1, (char **)&p, 10);
	if (*p != ']')
		return -1;
	p++;
	task_end = open - 1;
	while (task_end > line && task_end[-1] == ' ')
		task_end--;
	if (task_end > line && task_end[-1] == ')') {   /* (TGID) */
		const char *paren = memrchr(line, '(', (size_t)(task_end - line));
		if (!paren)
			return -1;
		r->tgid = paren[1] == '-' ? -1 : (int32_t)strtol(paren + 1, 0, 10);   /* "(-------)": unknown */
		task_end = paren;
		while (task_end > line && task_end[-1] == ' ')
			task_end--;
	}
	dash = memrchr(line, '-', (size_t)(task_end - line));
	if (!dash)
		return -1;
	r->pid = (int32_t)strtol(dash + 1, 0, 10);
	name = line;
	while (name < dash && *name == ' ')
		name++;
	r->comm = text_of(base + (uint32_t)(name - line), name, dash);
	while (p < end && *p == ' ')
		p++;
	/* FLAGS (no ':' at its end) or straight the timestamp */
	{
		const char *word = p;
		while (p < end && *p != ' ')
			p++;
		if (p > word && p[-1] != ':') {
			size_t n = (size_t)(p - word) < sizeof r->flags - 1 ? (size_t)(p - word) : sizeof r->flags - 1;
			memcpy(r->flags, word, n);
			while (p < end && *p == ' ')
				p++;
			word = p;
			while (p < end && *p != ' ')
				p++;
		}
		if (p == word || p[-1] != ':')
			return -1;
	}
	while (p < end && *p == ' ')
		p++;
	name = p;
	while (p < end && *p != ':')
		p++;
	if (p >= end)
		return -1;
	r->type = (uint8_t)event_type(name, (size_t)(p - name));
	parse_fields(r, line, base, p + 1, end);
	return 0;
}

static int compare_pid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static void header_line(struct trace_capture *c, const char *line, const char *end)
{
	const char *v;

	if ((v = after(line, end, "# kernel: ")) != 0) {
		size_t n = (size_t)(end - v) < sizeof c->kernel - 1 ? (size_t)(end - v) : sizeof c->kernel - 1;
		memcpy(c->kernel, v, n);
		c->kernel[n] = 0;
	} else if ((v = after(line, end, "# cpus: ")) != 0) {
		c->cpus = (unsigned)strtoul(v, 0, 10);
	} else if ((v = after(line, end, "# lost: ")) != 0) {
		c->lost += strtoull(v, 0, 10);
	} else if ((v = after(line, end, "#P:")) != 0 && !c->cpus) {
		c->cpus = (unsigned)strtoul(v, 0, 10);
	} else if ((v = after(line, end, "# kthreads: ")) != 0 && !after(line, end, "unknown")) {
		char *next;
		c->kthreads_known = 1;
		for (long pid = strtol(v, &next, 10); next != v; v = next, pid = strtol(v, &next, 10)) {
			c->kthread = realloc(c->kthread, (c->kthreads + 1) * sizeof *c->kthread);
			c->kthread[c->kthreads++] = (int32_t)pid;
		}
	}
}

int trace_capture_parse(struct trace_capture *c, char *text, size_t size, const char *source)
{
	size_t capacity = 1024;
	uint32_t number = 0;
	const char *slash = strrchr(source, '/');

	memset(c, 0, sizeof *c);
	c->text = text;
	c->size = size;
	snprintf(c->source, sizeof c->source, "%s", slash ? slash + 1 : source);
	c->record = malloc(capacity * sizeof *c->record);
	for (size_t at = 0; at < size && c->record;) {
		const char *line = text + at, *end = memchr(line, '\n', size - at);
		size_t length = end ? (size_t)(end - line) : size - at;
		const char *lost;

		number++;
		if (line[0] == '#') {
			header_line(c, line, line + length);
		} else if ((lost = after(line, line + length, "[LOST ")) != 0) {
			c->lost += strtoull(lost, 0, 10);
		} else if (length) {
			if (c->records == capacity)
				c->record = realloc(c->record, (capacity *= 2) * sizeof *c->record);
			if (c->record && trace_record_parse(line, length, &c->record[c->records], (uint32_t)at) == 0) {
				c->record[c->records].line = number;
				c->records++;
			} else {
				c->unparsed++;
			}
		}
		at += length + 1;
	}
	if (!c->record) {
		snprintf(c->error, sizeof c->error, "out of memory for the records of %s", source);
		return -1;
	}
	qsort(c->kthread, c->kthreads, sizeof *c->kthread, compare_pid);
	for (size_t i = 0; i < c->records; i++)
		if (c->record[i].cpu + 1u > c->cpus)
			c->cpus = c->record[i].cpu + 1u;
	if (!c->records) {
		snprintf(c->error, sizeof c->error, "%s: no trace events in it", source);
		return -1;
	}
	if (c->cpus > LAB_MAX_CPUS) {
		snprintf(c->error, sizeof c->error, "%s: %u CPUs, the lab models at most %u", source, c->cpus, LAB_MAX_CPUS);
		return -1;
	}
	return 0;
}

int trace_capture_load(struct trace_capture *c, const char *path)
{
	FILE *file = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t size = 0, capacity = 1 << 20, n;
	char *text;

	memset(c, 0, sizeof *c);
	if (!file) {
		snprintf(c->error, sizeof c->error, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(capacity);
	while (text && (n = fread(text + size, 1, capacity - size, file)) > 0) {
		size += n;
		if (size == capacity)
			text = realloc(text, capacity *= 2);
	}
	if (file != stdin)
		fclose(file);
	if (!text) {
		snprintf(c->error, sizeof c->error, "%s: out of memory", path);
		return -1;
	}
	return trace_capture_parse(c, text, size, path);
}

void trace_capture_free(struct trace_capture *c)
{
	free(c->text);
	free(c->record);
	free(c->kthread);
	memset(c, 0, sizeof *c);
}

int trace_is_kthread(const struct trace_capture *c, int32_t pid)
{
	return pid == 2 || bsearch(&pid, c->kthread, c->kthreads, sizeof *c->kthread, compare_pid) != 0;
}

unsigned trace_kernel_version(const struct trace_capture *c)
{
	char *next;
	unsigned long major = strtoul(c->kernel, &next, 10), minor = 0;
	if (next == c->kernel)
		return 0;
	if (*next == '.')
		minor = strtoul(next + 1, 0, 10);
	return (unsigned)(major * 100 + minor);
}

const char *trace_line(const struct trace_capture *c, uint32_t n, char *buffer, size_t size)
{
	const char *p = c->text, *end = c->text + c->size;
	for (uint32_t line = 1; line < n && p < end; line++) {
		const char *next = memchr(p, '\n', (size_t)(end - p));
		p = next ? next + 1 : end;
	}
	{
		const char *stop = memchr(p, '\n', (size_t)(end - p));
		size_t length = (size_t)((stop ? stop : end) - p);
		snprintf(buffer, size, "%.*s", (int)length, p);
	}
	return buffer;
}
