/* The scenario text format (docs/lab.md "Scenario format"): one directive or event per
   line, words separated by blanks, '#' starts a comment. */
#include "lab/lab.h"
#include "lib/format.h"
#include "lib/string.h"

static const char *const event_names[LAB_EVENT_TYPES] = {
	[LAB_EV_SWITCH] = "switch", [LAB_EV_USE] = "use", [LAB_EV_KFPU_BEGIN] = "kfpu-begin",
	[LAB_EV_KFPU_END] = "kfpu-end", [LAB_EV_RETURN_USER] = "return-user",
	[LAB_EV_KVM_RUN] = "kvm-run", [LAB_EV_VM_ENTRY] = "vm-entry", [LAB_EV_VM_EXIT] = "vm-exit",
	[LAB_EV_KVM_RETURN] = "kvm-return", [LAB_EV_GUEST_SWITCH] = "guest-switch",
	[LAB_EV_HALT] = "halt", [LAB_EV_WAKE] = "wake", [LAB_EV_SIGNAL] = "signal",
	[LAB_EV_SIGRETURN] = "sigreturn", [LAB_EV_MIGRATE] = "migrate", [LAB_EV_MEASURE] = "measure",
};

static const char *const exit_names[LAB_EXIT_REASONS] = {
	[LAB_EXIT_HLT] = "hlt", [LAB_EXIT_MMIO] = "mmio", [LAB_EXIT_CPUID] = "cpuid",
	[LAB_EXIT_IO] = "io", [LAB_EXIT_INTR] = "intr", [LAB_EXIT_NM] = "nm", [LAB_EXIT_MSR] = "msr",
};

static const char *const kind_names[LAB_CONTEXT_KINDS] = {
	[LAB_USER] = "user", [LAB_KTHREAD] = "kthread", [LAB_IDLE] = "idle", [LAB_VMM] = "vmm",
	[LAB_GUEST] = "guest", [LAB_GUEST_USER] = "guest-user", [LAB_GUEST_IDLE] = "guest-idle",
};

static const struct lab_context_decl default_contexts[] = {
	{ "task-a", LAB_USER }, { "task-b", LAB_USER }, { "kthread", LAB_KTHREAD },
	{ "idle", LAB_IDLE }, { "idle1", LAB_IDLE }, { "vmm", LAB_VMM }, { "guest", LAB_GUEST },
	{ "guest-task", LAB_GUEST_USER }, { "guest-task2", LAB_GUEST_USER },
	{ "guest-idle", LAB_GUEST_IDLE },
};


#define MAX_WORDS 6
#define WORD_SIZE 24

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

static int find_context(const struct lab_scenario *s, const char *word)
{
	for (unsigned i = 0; i < s->contexts; i++)
		if (strcmp(s->context[i].name, word) == 0)
			return (int)i;
	return -1;
}

/* "cpu0".."cpuN-1" */
static int parse_cpu(const struct lab_scenario *s, const char *word)
{
	if (!starts_with(word, "cpu") || word[3] < '0' || word[3] > '9' || word[4])
		return -1;
	return (unsigned)(word[3] - '0') < s->cpus ? word[3] - '0' : -1;
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

static int parse_line(struct lab_scenario *s, const struct line_words *w, unsigned line,
		      struct lab_parse_error *error)
{
	struct lab_event *e;
	int type, cpu, ctx;
	unsigned need;

	if (strcmp(w->word[0], "cpus") == 0) {
		if (w->count != 2 || s->events)
			return fail(error, line, "%s: 'cpus N' must come before the first event", w->word[0]);
		if (w->word[1][0] < '1' || w->word[1][0] > '0' + LAB_MAX_CPUS || w->word[1][1])
			return fail(error, line, "cpus: '%s' is not 1..2", w->word[1]);
		s->cpus = (unsigned)(w->word[1][0] - '0');
		return 0;
	}
	if (strcmp(w->word[0], "context") == 0) {
		int kind;
		if (w->count != 3)
			return fail(error, line, "%s: expected 'context NAME KIND'", w->word[0]);
		kind = find_name(kind_names, LAB_CONTEXT_KINDS, w->word[2]);
		if (kind < 0)
			return fail(error, line, "unknown context kind '%s'", w->word[2]);
		if (find_context(s, w->word[1]) >= 0)
			return fail(error, line, "context '%s' already exists", w->word[1]);
		if (s->contexts >= LAB_MAX_CONTEXTS || strlen(w->word[1]) >= sizeof s->context[0].name)
			return fail(error, line, "no room for context '%s'", w->word[1]);
		string_copy(s->context[s->contexts].name, w->word[1], sizeof s->context[0].name);
		s->context[s->contexts++].kind = (uint8_t)kind;
		return 0;
	}

	type = find_name(event_names, LAB_EVENT_TYPES, w->word[0]);
	if (type < 0)
		return fail(error, line, "unknown event '%s'", w->word[0]);
	if (s->events >= LAB_MAX_EVENTS)
		return fail(error, line, "%s: too many events", w->word[0]);
	if (line > UINT16_MAX)   /* an event keeps its line in 16 bits */
		return fail(error, line, "%s: an event past line 65535", w->word[0]);
	e = &s->event[s->events];
	memset(e, 0, sizeof *e);
	e->type = (uint8_t)type;
	e->line = (uint16_t)line;
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
		ctx = find_context(s, w->word[1]);
		if (ctx < 0 || !host_thread(s->context[ctx].kind))
			return fail(error, line, "migrate: '%s' is not a host thread", w->word[1]);
		cpu = parse_cpu(s, w->word[2]);
		if (cpu < 0)
			return fail(error, line, "bad cpu '%s'", w->word[2]);
		e->cpu = (uint8_t)cpu;
		e->context = (uint8_t)ctx;
		s->events++;
		return 0;
	}

	if (w->count < 2)
		return fail(error, line, "%s: the CPU is missing", w->word[0]);
	cpu = parse_cpu(s, w->word[1]);
	if (cpu < 0)
		return fail(error, line, "bad cpu '%s'", w->word[1]);
	e->cpu = (uint8_t)cpu;

	switch (type) {
	case LAB_EV_SWITCH:
	case LAB_EV_GUEST_SWITCH:
		if (w->count < 3 || w->count > 4)
			return fail(error, line, "%s: expected CPU CONTEXT [uses-fpu]", w->word[0]);
		ctx = find_context(s, w->word[2]);
		if (ctx < 0)
			return fail(error, line, "unknown context '%s'", w->word[2]);
		if (type == LAB_EV_SWITCH ? !host_thread(s->context[ctx].kind)
					  : (s->context[ctx].kind != LAB_GUEST_USER &&
					     s->context[ctx].kind != LAB_GUEST_IDLE))
			return fail(error, line, "'%s' cannot be switched to here", w->word[2]);
		e->context = (uint8_t)ctx;
		if (w->count == 4) {
			if (strcmp(w->word[3], "uses-fpu") != 0 && strcmp(w->word[3], "no-fpu") != 0)
				return fail(error, line, "expected uses-fpu or no-fpu, not '%s'", w->word[3]);
			if (strcmp(w->word[3], "uses-fpu") == 0)
				e->mask = LAB_MASK_LEGACY;
		}
		break;
	case LAB_EV_USE:
		if (w->count > 3)
			return fail(error, line, "%s: expected 'use CPU [COMPONENTS]'", w->word[0]);
		e->mask = LAB_MASK_LEGACY;
		if (w->count == 3 && parse_mask(w->word[2], &e->mask) != 0)
			return fail(error, line, "bad component list '%s'", w->word[2]);
		break;
	case LAB_EV_KFPU_BEGIN:
		if (w->count != 3 || (strcmp(w->word[2], "kthread") != 0 && strcmp(w->word[2], "softirq") != 0))
			return fail(error, line, "%s: expected 'kfpu-begin CPU kthread|softirq'", w->word[0]);
		e->arg = strcmp(w->word[2], "softirq") == 0;
		break;
	case LAB_EV_VM_EXIT: {
		int reason;
		if (w->count != 3)
			return fail(error, line, "%s: expected 'vm-exit CPU REASON'", w->word[0]);
		reason = find_name(exit_names, LAB_EXIT_REASONS, w->word[2]);
		if (reason < 0)
			return fail(error, line, "unknown exit reason '%s'", w->word[2]);
		e->arg = (uint8_t)reason;
		break;
	}
	default:
		need = 2;
		if (w->count != need)
			return fail(error, line, "%s: expected only a CPU", w->word[0]);
	}
	s->events++;
	return 0;
}

int lab_scenario_parse(const char *name, const char *text, struct lab_scenario *s,
		       struct lab_parse_error *error)
{
	unsigned line = 0;
	const char *p = text;

	memset(s, 0, sizeof *s);
	memset(error, 0, sizeof *error);
	string_copy(s->name, name, sizeof s->name);
	s->cpus = 1;
	for (unsigned i = 0; i < sizeof default_contexts / sizeof default_contexts[0]; i++)
		s->context[s->contexts++] = default_contexts[i];

	while (*p) {
		const char *end = strchr(p, '\n');
		size_t length = end ? (size_t)(end - p) : strlen(p);
		struct line_words words;

		line++;
		if (split(p, length, &words) != 0)
			return fail(error, line, "line too long or too many words%s", "");
		if (words.count && parse_line(s, &words, line, error) != 0)
			return -1;
		p += length;
		if (*p == '\n')
			p++;
	}
	if (!s->events)
		return fail(error, line ? line : 1, "scenario '%s' has no events", name);
	return 0;
}
