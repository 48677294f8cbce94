#include "records.h"

#include <stdio.h>
#include <string.h>

#define REQUIRED(field_name, field_types) { field_name, field_types, 1 }
#define OPTIONAL(field_name, field_types) { field_name, field_types, 0 }
#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

static const struct field_rule fpulab_fields[] = {
	REQUIRED("schema", FIELD_INT),
	REQUIRED("version", FIELD_STR),
	REQUIRED("boot", FIELD_STR),
	REQUIRED("args", FIELD_STR),
};

static const struct field_rule cpu_fields[] = {
	REQUIRED("schema", FIELD_INT),
	REQUIRED("vendor", FIELD_STR),
	REQUIRED("family", FIELD_INT),
	REQUIRED("model", FIELD_INT),
	REQUIRED("stepping", FIELD_INT),
	OPTIONAL("brand", FIELD_STR),
	OPTIONAL("microcode", FIELD_INT | FIELD_NULL),
	REQUIRED("hypervisor", FIELD_BOOL),
	OPTIONAL("hypervisor_vendor", FIELD_STR),
	REQUIRED("xcr0_supported", FIELD_STR),
	OPTIONAL("xss_supported", FIELD_STR),
	OPTIONAL("xcr0", FIELD_STR),
	OPTIONAL("xsave_components", FIELD_ARR),
	REQUIRED("features", FIELD_OBJ),
	OPTIONAL("vmx", FIELD_OBJ | FIELD_NULL),
	OPTIONAL("svm", FIELD_OBJ | FIELD_NULL),
	REQUIRED("tsc_hz", FIELD_INT),
	OPTIONAL("tsc_hz_source", FIELD_STR),
	OPTIONAL("perf", FIELD_OBJ),
	REQUIRED("watchdog", FIELD_STR),
	OPTIONAL("ioapic", FIELD_OBJ),
};

static const struct field_rule bench_fields[] = {
	REQUIRED("schema", FIELD_INT),
	REQUIRED("name", FIELD_STR),
	REQUIRED("unit", FIELD_STR),
	REQUIRED("clock", FIELD_STR),
	REQUIRED("n", FIELD_INT),
	REQUIRED("min", FIELD_NUM),
	REQUIRED("p5", FIELD_NUM),
	REQUIRED("p50", FIELD_NUM),
	REQUIRED("p95", FIELD_NUM),
	REQUIRED("p99", FIELD_NUM),
	REQUIRED("max", FIELD_NUM),
	REQUIRED("mean_20_80", FIELD_NUM),
};

static const struct field_rule lab_fields[] = {
	REQUIRED("schema", FIELD_INT),
	REQUIRED("policy", FIELD_STR),
	REQUIRED("origin", FIELD_STR),
	REQUIRED("scenario", FIELD_STR),
	REQUIRED("backend", FIELD_STR),
	REQUIRED("verdict", FIELD_STR),
	REQUIRED("saves", FIELD_INT),
	REQUIRED("restores", FIELD_INT),
};

static const struct field_rule claim_fields[] = {
	REQUIRED("schema", FIELD_INT),
	REQUIRED("id", FIELD_STR),
	REQUIRED("verdict", FIELD_STR),
};

static const struct field_rule weights_fields[] = {
	REQUIRED("schema", FIELD_INT),
	REQUIRED("source", FIELD_STR),
};

static const struct record_kind record_kinds[] = {
	{ "fpulab", fpulab_fields, COUNT_OF(fpulab_fields) },
	{ "cpu", cpu_fields, COUNT_OF(cpu_fields) },
	{ "bench", bench_fields, COUNT_OF(bench_fields) },
	{ "lab", lab_fields, COUNT_OF(lab_fields) },
	{ "claim", claim_fields, COUNT_OF(claim_fields) },
	{ "weights", weights_fields, COUNT_OF(weights_fields) },
};

/* The --json output puts its own "kind" first in every record. */
static const char reserved_member[] = "kind";

const struct record_kind *find_record_kind(const char *name, size_t length)
{
	size_t index;

	for (index = 0; index < COUNT_OF(record_kinds); index++) {
		const struct record_kind *kind = &record_kinds[index];
		if (strlen(kind->name) == length && memcmp(kind->name, name, length) == 0)
			return kind;
	}
	return NULL;
}

static unsigned member_field_type(const struct json_member *member)
{
	switch (member->type) {
	case JSON_NULL:
		return FIELD_NULL;
	case JSON_BOOL:
		return FIELD_BOOL;
	case JSON_NUMBER:
		return member->is_integer ? FIELD_INT | FIELD_NUM : FIELD_NUM;
	case JSON_STRING:
		return FIELD_STR;
	case JSON_ARRAY:
		return FIELD_ARR;
	case JSON_OBJECT:
		return FIELD_OBJ;
	}
	return 0;
}

/* "int or null" and the like. */
static void describe_field_types(unsigned types, char *text, size_t size)
{
	static const char *const names[] = { "str", "int", "num", "bool", "obj", "arr", "null" };
	size_t used = 0;
	size_t bit;

	text[0] = '\0';
	for (bit = 0; bit < COUNT_OF(names); bit++) {
		if (!(types & (1u << bit)))
			continue;
		snprintf(text + used, size - used, "%s%s", used ? " or " : "", names[bit]);
		used = strlen(text);
	}
}

static const char *describe_member_value(const struct json_member *member)
{
	if (member->type == JSON_NUMBER && !member->is_integer)
		return "a non-integer number";
	return json_type_name(member->type);
}

static const char *field_problem(const struct field_rule *rule, const struct json_object *object,
				 char *message, size_t message_size)
{
	const struct json_member *member = json_object_find(object, rule->name);
	char expected[64];

	if (!member) {
		if (!rule->required)
			return NULL;
		snprintf(message, message_size, "missing field \"%s\"", rule->name);
		return message;
	}
	if (member_field_type(member) & rule->types)
		return NULL;
	describe_field_types(rule->types, expected, sizeof expected);
	snprintf(message, message_size, "field \"%s\" must be %s, not %s", rule->name,
		 expected, describe_member_value(member));
	return message;
}

const char *record_fields_problem(const struct record_kind *kind,
				  const struct json_object *object,
				  char *message, size_t message_size)
{
	size_t index;

	for (index = 0; index < kind->field_count; index++) {
		const char *problem = field_problem(&kind->fields[index], object, message,
						    message_size);
		if (problem)
			return problem;
	}
	if (json_object_find(object, reserved_member)) {
		snprintf(message, message_size, "member \"%s\" is reserved for the reader",
			 reserved_member);
		return message;
	}
	return NULL;
}
