#include "guarded_call.h"
#include "arch/cpu_tables.h"
#include "arch/per_cpu.h"
#include "arch/trap_frame.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "lib/string.h"

uint64_t test_call(struct guarded_call *call, void (*function)(void *), void *argument);
void test_resume(void);

/* The call a trap ends is this CPU's current one; an abort also abandons the trap
   handlers the function was inside when the trap came (a watchdog NMI in an #NM
   handler), so the trap depth goes back to what it was at the call. */
int guarded_call_run(struct guarded_call *call, const char *name,
		     void (*function)(void *), void *argument)
{
	struct per_cpu *cpu = this_cpu_checked();
	int aborted;

	call->previous = cpu->current_call;
	call->trap_depth = cpu->trap_depth;
	call->name = name;
	call->vector = -1;
	call->reason[0] = call->dump[0] = 0;
	cpu->current_call = call;
	aborted = (int)test_call(call, function, argument);
	cpu = this_cpu_checked();
	cpu->current_call = call->previous;
	if (aborted)
		cpu->trap_depth = call->trap_depth;
	return aborted;
}

int guarded_call_active(void)
{
	return this_cpu()->current_call != 0;
}

void guarded_call_abort(struct trap_frame *frame, const char *reason)
{
	struct guarded_call *call = this_cpu()->current_call;

	call->vector = (int)frame->vector;
	string_copy(call->reason, reason, sizeof call->reason);
	trap_frame_format_dump(frame, call->name, reason, call->dump, sizeof call->dump);
	frame->rip = (uint64_t)(uintptr_t)test_resume;
	frame->rsp = call->saved_stack_pointer;
	frame->cs = kernel_code_selector;
	frame->ss = kernel_data_selector;
	frame->rflags = 0x2;   /* interrupts stay masked; the runner restores them */
}

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 floating point", "#AC alignment check",
	"#MC machine check", "#XM SIMD floating point", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

const char *exception_name(uint64_t vector)
{
	return vector < 32 ? exception_names[vector] : "external interrupt";
}

struct dump_writer {
	char *buffer;
	unsigned long size, length;
};

static void dump_line(struct dump_writer *out, const char *key, const char *format_spec, uint64_t value)
{
	char text[64];
	format_string(text, sizeof text, format_spec, value);
	if (out->length < out->size)
		out->length += (unsigned long)format_string(out->buffer + out->length,
							    out->size - out->length, "  %s: %s\n", key, text);
}

void trap_frame_format_dump(const struct trap_frame *frame, const char *test_name,
			    const char *message, char *buffer, unsigned long size)
{
	struct dump_writer out = { buffer, size, 0 };
	static const char *const register_names[15] = {
		"r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8",
		"rbp", "rdi", "rsi", "rdx", "rcx", "rbx", "rax",
	};
	const uint64_t *registers = &frame->r15;

	out.length = (unsigned long)format_string(buffer, size,
		"  ---\n  message: \"%s\"\n  test: \"%s\"\n  exception: \"%s\"\n",
		message, test_name ? test_name : "(kernel)", exception_name(frame->vector));
	dump_line(&out, "cpu", "%llu", this_cpu()->index);
	dump_line(&out, "vector", "%llu", frame->vector);
	dump_line(&out, "error_code", "\"0x%llx\"", frame->error_code);
	dump_line(&out, "rip", "\"0x%016llx\"", frame->rip);
	dump_line(&out, "rsp", "\"0x%016llx\"", frame->rsp);
	dump_line(&out, "rflags", "\"0x%llx\"", frame->rflags);
	dump_line(&out, "cs", "\"0x%llx\"", frame->cs);
	dump_line(&out, "ss", "\"0x%llx\"", frame->ss);
	dump_line(&out, "cr0", "\"0x%llx\"", read_cr0());
	dump_line(&out, "cr2", "\"0x%016llx\"", read_cr2());
	dump_line(&out, "cr3", "\"0x%llx\"", read_cr3());
	dump_line(&out, "cr4", "\"0x%llx\"", read_cr4());
	for (int i = 14; i >= 0; i--)
		dump_line(&out, register_names[i], "\"0x%016llx\"", registers[i]);
	if (out.length < out.size)
		out.length += (unsigned long)format_string(buffer + out.length, size - out.length, "  ...\n");
	if (out.length >= size && size > 6)
		string_copy(buffer + size - 7, "  ...\n", 7);
}
