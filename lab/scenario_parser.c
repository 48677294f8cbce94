/* The scenario text format (docs/lab.md "Scenario format"): one directive or event per
   line, words separated by blanks, '#' starts a comment. */
#include "lab/lab_scenario.h"
#include "lib/format.h"
#include "lib/string.h"

static const char *const event_names[LAB_EVENT_TYPES] = {
	[LAB_EV_SWITCH] = "switch", [LAB_EV_USE] = "use", [LAB_EV_KFPU_BEGIN] = "kfpu-begin",
	[LAB_EV_KFPU_END] = "kfpu-end", [LAB_EV_RETURN_USER] = "return-user",
	[LAB_EV_KVM_RUN] = "kvm-run", [LAB_EV_VM_ENTRY] = "vm-entry", [LAB_EV_VM_EXIT] = "vm-exit",
	[LAB_EV_KVM_RETURN] = "kvm-return", [LAB_EV_GUEST_SWITCH] = "guest-switch",
	[LAB_EV_HALT] = "halt", [LAB_EV_WAKE] = "wake", [LAB_EV_SIGNAL] = "signal",
	[LAB_EV_SIGRETURN] = "sigreturn", [LAB_EV_MIGRATE] = "migrate", [LAB_EV_MEASURE] = "measure",
	[LAB_EV_SYSCALL] = "syscall", [LAB_EV_FORK] = "fork", [LAB_EV_EXIT] = "exit", [LAB_EV_EXEC] = "exec",
};

static const char *const exit_names[LAB_EXIT_REASONS] = {
	[LAB_EXIT_HLT] = "hlt", [LAB_EXIT_MMIO] = "mmio", [LAB_EXIT_CPUID] = "cpuid",
	[LAB_EXIT_IO] = "io", [LAB_EXIT_INTR] = "intr", [LAB_EXIT_NM] = "nm", [LAB_EXIT_MSR] = "msr",
};

static const char *const kind_names[LAB_CONTEXT_KINDS] = {
	[LAB_USER] = "user", [LAB_KTHREAD] = "kthread", [LAB_IDLE] = "idle", [LAB_VMM] = "vmm",
	[LAB_GUEST] = "guest", [LAB_GUEST_USER] = "guest-user", [LAB_GUEST_IDLE] = "guest-idle",
};

static const struct { const char *name; uint8_t kind; } default_contexts[] = {
	{ "task-a", LAB_USER }, { "task-b", LAB_USER }, { "kthread", LAB_KTHREAD },
	{ "idle", LAB_IDLE }, { "idle1", LAB_IDLE }, { "vmm", LAB_VMM }, { "guest", LAB_GUEST },
	{ "guest-task", LAB_GUEST_USER }, { "guest-task2", LAB_GUEST_USER },
	{ "guest-idle", LAB_GUEST_IDLE },
};

const char *lab_event_name(unsigned type) { return type < LAB_EVENT_TYPES ? event_names[type] : "?"; }
const char *lab_context_kind_name(unsigned kind) { return kind < LAB_CONTEXT_KINDS ? kind_names[kind] : "?"; }
const char *lab_exit_reason_name(unsigned reason) { return reason < LAB_EXIT_REASONS ? exit_names[reason] : "?"; }

#define MAX_WORDS 6
#define WORD_SIZE 48

struct line_words {
	unsigned count;
	char word[MAX_WORDS][WORD_SIZE];
};

/* Splits one line; returns -1 if it has too many or too long words. */
static int split(const char *line, size_t length, struct line_words *words)
{
	size_t i = 0;
	words->count = 0;
	while (i < length) {
		size_t start, n;
		while (i < length && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= length || line[i] == '#')
			break;
		start = i;
		while (i < length && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#')
			i++;
		n = i - start;
		if (words->count >= MAX_WORDS || n >= WORD_SIZE)
			return -1;
		memcpy(words->word[words->count], line + start, n);
		words->word[words->count][n] = 0;
		words->count++;
	}
	return 0;
}

static int find_name(const char *const *names, unsigned count, const char *word)
{
	for (unsigned i = 0; i < count; i++)
		if (names[i] && strcmp(names[i], word) == 0)
			return (int)i;
	return -1;
}

int lab_scenario_find_context(const struct lab_scenario *s, const char *word)
{
	for (unsigned i = 0; i < s->contexts; i++)
		if (strcmp(s->context[i].name, word) == 0)
			return (int)i;
	return -1;
}

/* A decimal number below limit, or -1. */
static int parse_number(const char *word, unsigned limit)
{
	unsigned value = 0;
	if (!*word || strlen(word) > 4 || (word[0] == '0' && word[1]))
		return -1;
	for (; *word; word++) {
		if (*word < '0' || *word > '9')
			return -1;
		value = value * 10 + (unsigned)(*word - '0');
	}
	return value < limit ? (int)value : -1;
}

/* "cpu0".."cpuN-1" */
static int parse_cpu(const struct lab_scenario *s, const char *word)
{
	return starts_with(word, "cpu") ? parse_number(word + 3, s->cpus) : -1;
}

static int parse_mask(const char *word, uint16_t *mask)
{
	char part[WORD_SIZE];
	size_t n = 0;
	*mask = 0;
	for (size_t i = 0;; i++) {
		if (word[i] && word[i] != ',') {
			if (n + 1 >= sizeof part)
				return -1;
			part[n++] = word[i];
			continue;
		}
		part[n] = 0;
		if (strcmp(part, "x87") == 0)
			*mask |= 1u << LAB_X87;
		else if (strcmp(part, "sse") == 0)
			*mask |= 1u << LAB_SSE;
		else if (strcmp(part, "avx") == 0)
			*mask |= 1u << LAB_AVX;
		else if (strcmp(part, "avx512") == 0)
			*mask |= LAB_MASK_AVX512;
		else if (strcmp(part, "amx") == 0)
			*mask |= LAB_MASK_AMX;
		else
			return -1;
		n = 0;
		if (!word[i])
			return 0;
	}
}

static int fail(struct lab_parse_error *error, unsigned line, const char *format, const char *word)
{
	error->line = line;
	format_string(error->message, sizeof error->message, format, word);
	return -1;
}

static bool host_thread(unsigned kind)
{
	return kind == LAB_USER || kind == LAB_KTHREAD || kind == LAB_IDLE || kind == LAB_VMM;
}

static int add_context(struct lab_scenario *s, const char *name, unsigned kind)
{
	if (s->contexts >= s->storage->contexts || s->contexts >= LAB_MAX_CONTEXTS || strlen(name) >= LAB_NAME_SIZE)
		return -1;
	string_copy(s->context[s->contexts].name, name, LAB_NAME_SIZE);
	s->context[s->contexts].kind = (uint8_t)kind;
	s->context[s->contexts].domain = (uint16_t)s->contexts;
	s->contexts++;
	return 0;
}

/* context NAME KIND [domain OTHER]: OTHER's protection domain (threads of one process). */
static int parse_context(struct lab_scenario *s, const struct line_words *w, unsigned line,
			 struct lab_parse_error *error)
{
	int kind, other = -1;

	if (w->count != 3 && !(w->count == 5 && strcmp(w->word[3], "domain") == 0))
		return fail(error, line, "%s: expected 'context NAME KIND [domain CONTEXT]'", w->word[0]);
	kind = find_name(kind_names, LAB_CONTEXT_KINDS, w->word[2]);
	if (kind < 0)
		return fail(error, line, "unknown context kind '%s'", w->word[2]);
	if (lab_scenario_find_context(s, w->word[1]) >= 0)
		return fail(error, line, "context '%s' already exists", w->word[1]);
	if (w->count == 5 && (other = lab_scenario_find_context(s, w->word[4])) < 0)
		return fail(error, line, "unknown context '%s'", w->word[4]);
	if (add_context(s, w->word[1], (unsigned)kind) != 0)
		return fail(error, line, "no room for context '%s'", w->word[1]);
	if (other >= 0)
		s->context[s->contexts - 1].domain = s->context[other].domain;
	return 0;
}

/* assume NAME VALUE, source NAME: kept for the records (what a converted trace assumed). */
static int parse_note(struct lab_scenario *s, const struct line_words *w, unsigned line,
		      struct lab_parse_error *error)
{
	bool source = strcmp(w->word[0], "source") == 0;

	if (w->count != (source ? 2u : 3u))
		return fail(error, line, source ? "%s: expected 'source NAME'" : "%s: expected 'assume NAME VALUE'",
			    w->word[0]);
	if (source) {
		string_copy(s->source, w->word[1], sizeof s->source);
		return 0;
	}
	if (s->assumptions >= LAB_MAX_ASSUMPTIONS ||
	    strlen(w->word[1]) + strlen(w->word[2]) + 2 > LAB_ASSUMPTION_SIZE)
		return fail(error, line, "assume: no room for '%s'", w->word[1]);
	format_string(s->assumption[s->assumptions++], LAB_ASSUMPTION_SIZE, "%s=%s", w->word[1], w->word[2]);
	return 0;
}

/* The events with a context or a component list after the CPU. */
static int parse_arguments(struct lab_scenario *s, struct lab_event *e, int type, const struct line_words *w,
			   unsigned line, struct lab_parse_error *error)
{
	int ctx;

	switch (type) {
	case LAB_EV_SWITCH:
	case LAB_EV_GUEST_SWITCH:
		if (w->count < 3 || w->count > 4)
			return fail(error, line, "%s: expected CPU CONTEXT [uses-fpu]", w->word[0]);
		ctx = lab_scenario_find_context(s, w->word[2]);
		if (ctx < 0)
			return fail(error, line, "unknown context '%s'", w->word[2]);
		if (type == LAB_EV_SWITCH ? !host_thread(s->context[ctx].kind)
					  : (s->context[ctx].kind != LAB_GUEST_USER &&
					     s->context[ctx].kind != LAB_GUEST_IDLE))
			return fail(error, line, "'%s' cannot be switched to here", w->word[2]);
		e->context = (uint16_t)ctx;
		if (w->count == 4) {
			if (strcmp(w->word[3], "uses-fpu") == 0)
				e->mask = LAB_MASK_LEGACY;
			else if (type == LAB_EV_SWITCH && strcmp(w->word[3], "kernel") == 0)
				e->arg = LAB_SWITCH_IN_KERNEL;
			else if (strcmp(w->word[3], "no-fpu") != 0)
				return fail(error, line, "expected uses-fpu, no-fpu or kernel, not '%s'", w->word[3]);
		}
		return 0;
	case LAB_EV_FORK:
		if (w->count != 3)
			return fail(error, line, "%s: expected 'fork CPU CHILD'", w->word[0]);
		ctx = lab_scenario_find_context(s, w->word[2]);
		if (ctx < 0 || (s->context[ctx].kind != LAB_USER && s->context[ctx].kind != LAB_VMM))
			return fail(error, line, "fork: '%s' is not a user context", w->word[2]);
		e->context = (uint16_t)ctx;
		return 0;
	case LAB_EV_USE:
		if (w->count > 3)
			return fail(error, line, "%s: expected 'use CPU [COMPONENTS]'", w->word[0]);
		e->mask = LAB_MASK_LEGACY;
		if (w->count == 3 && parse_mask(w->word[2], &e->mask) != 0)
			return fail(error, line, "bad component list '%s'", w->word[2]);
		return 0;
	case LAB_EV_KFPU_BEGIN:
		if (w->count != 3 || (strcmp(w->word[2], "kthread") != 0 && strcmp(w->word[2], "softirq") != 0))
			return fail(error, line, "%s: expected 'kfpu-begin CPU kthread|softirq'", w->word[0]);
		e->arg = strcmp(w->word[2], "softirq") == 0;
		return 0;
	case LAB_EV_VM_EXIT: {
		int reason;
		if (w->count != 3)
			return fail(error, line, "%s: expected 'vm-exit CPU REASON'", w->word[0]);
		reason = find_name(exit_names, LAB_EXIT_REASONS, w->word[2]);
		if (reason < 0)
			return fail(error, line, "unknown exit reason '%s'", w->word[2]);
		e->arg = (uint8_t)reason;
		return 0;
	}
	}
	if (w->count != 2)
		return fail(error, line, "%s: expected only a CPU", w->word[0]);
	return 0;
}

static int parse_line(struct lab_scenario *s, const struct line_words *w, unsigned line,
		      struct lab_parse_error *error)
{
	struct lab_event *e;
	int type, cpu, ctx;

	if (strcmp(w->word[0], "cpus") == 0) {
		if (w->count != 2 || s->events)
			return fail(error, line, "%s: 'cpus N' must come before the first event", w->word[0]);
		if (parse_number(w->word[1], LAB_MAX_CPUS + 1) < 1)
			return fail(error, line, "cpus: '%s' is not 1..64", w->word[1]);
		s->cpus = (unsigned)parse_number(w->word[1], LAB_MAX_CPUS + 1);
		return 0;
	}
	if (strcmp(w->word[0], "context") == 0)
		return parse_context(s, w, line, error);
	if (strcmp(w->word[0], "assume") == 0 || strcmp(w->word[0], "source") == 0)
		return parse_note(s, w, line, error);

	type = find_name(event_names, LAB_EVENT_TYPES, w->word[0]);
	if (type < 0)
		return fail(error, line, "unknown event '%s'", w->word[0]);
	if (s->events >= s->storage->events)
		return fail(error, line, "%s: too many events", w->word[0]);
	e = &s->event[s->events];
	memset(e, 0, sizeof *e);
	e->type = (uint8_t)type;
	e->line = line;
	e->context = LAB_NONE;

	if (type == LAB_EV_MEASURE) {
		if (w->count != 1)
			return fail(error, line, "%s: takes no arguments", w->word[0]);
		s->events++;
		return 0;
	}
	if (type == LAB_EV_MIGRATE) {
		if (w->count != 3)
			return fail(error, line, "%s: expected 'migrate CONTEXT CPU'", w->word[0]);
		ctx = lab_scenario_find_context(s, w->word[1]);
		if (ctx < 0 || !host_thread(s->context[ctx].kind))
			return fail(error, line, "migrate: '%s' is not a host thread", w->word[1]);
		cpu = parse_cpu(s, w->word[2]);
		if (cpu < 0)
			return fail(error, line, "bad cpu '%s'", w->word[2]);
		e->cpu = (uint8_t)cpu;
		e->context = (uint16_t)ctx;
		s->events++;
		return 0;
	}

	if (w->count < 2)
		return fail(error, line, "%s: the CPU is missing", w->word[0]);
	cpu = parse_cpu(s, w->word[1]);
	if (cpu < 0)
		return fail(error, line, "bad cpu '%s'", w->word[1]);
	e->cpu = (uint8_t)cpu;
	if (parse_arguments(s, e, type, w, line, error) != 0)
		return -1;
	s->events++;
	return 0;
}

void lab_scenario_begin(struct lab_scenario *s, const char *name, const struct lab_storage *storage)
{
	memset(s, 0, sizeof *s);
	string_copy(s->name, name, sizeof s->name);
	s->cpus = 1;
	s->storage = storage;
	s->context = storage->decl;
	s->event = storage->event;
	for (unsigned i = 0; i < sizeof default_contexts / sizeof default_contexts[0]; i++)
		add_context(s, default_contexts[i].name, default_contexts[i].kind);
}

int lab_scenario_parse_line(struct lab_scenario *s, const char *text, size_t length, unsigned line,
			    struct lab_parse_error *error)
{
	struct line_words words;

	if (split(text, length, &words) != 0)
		return fail(error, line, "line too long or too many words%s", "");
	return words.count ? parse_line(s, &words, line, error) : 0;
}

int lab_scenario_parse(const char *name, const char *text, struct lab_scenario *s,
		       const struct lab_storage *storage, struct lab_parse_error *error)
{
	unsigned line = 0;
	const char *p = text;

	memset(error, 0, sizeof *error);
	lab_scenario_begin(s, name, storage);
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t length = end ? (size_t)(end - p) : strlen(p);

		line++;
		if (lab_scenario_parse_line(s, p, length, line, error) != 0)
			return -1;
		p += length;
		if (*p == '\n')
			p++;
	}
	if (!s->events)
		return fail(error, line ? line : 1, "scenario '%s' has no events", name);
	return 0;
}

static size_t mask_format(uint16_t mask, char *text, size_t size)
{
	static const struct { uint16_t bits; const char *name; } groups[] = {
		{ 1u << LAB_X87, "x87" }, { 1u << LAB_SSE, "sse" }, { 1u << LAB_AVX, "avx" },
		{ LAB_MASK_AVX512, "avx512" }, { LAB_MASK_AMX, "amx" },
	};
	size_t used = 0;
	text[0] = 0;
	for (unsigned i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if ((mask & groups[i].bits) == groups[i].bits)
			used += format_string(text + used, size - used, "%s%s", used ? "," : "", groups[i].name);
	return used;
}

size_t lab_event_format(const struct lab_scenario *s, const struct lab_event *e, char *text, size_t size)
{
	const char *name = lab_event_name(e->type);
	const char *ctx = e->context < s->contexts ? s->context[e->context].name : "?";
	char mask[48];

	switch (e->type) {
	case LAB_EV_MEASURE:
		return format_string(text, size, "%s", name);
	case LAB_EV_MIGRATE:
		return format_string(text, size, "%s %s cpu%u", name, ctx, e->cpu);
	case LAB_EV_SWITCH:
	case LAB_EV_GUEST_SWITCH:
		return format_string(text, size, "%s cpu%u %s%s", name, e->cpu, ctx,
				     e->mask ? " uses-fpu" : (e->arg & LAB_SWITCH_IN_KERNEL) ? " kernel" : "");
	case LAB_EV_FORK:
		return format_string(text, size, "%s cpu%u %s", name, e->cpu, ctx);
	case LAB_EV_USE:
		mask_format(e->mask, mask, sizeof mask);
		return format_string(text, size, "%s cpu%u %s", name, e->cpu, mask);
	case LAB_EV_KFPU_BEGIN:
		return format_string(text, size, "%s cpu%u %s", name, e->cpu, e->arg ? "softirq" : "kthread");
	case LAB_EV_VM_EXIT:
		return format_string(text, size, "%s cpu%u %s", name, e->cpu, lab_exit_reason_name(e->arg));
	}
	return format_string(text, size, "%s cpu%u", name, e->cpu);
}
