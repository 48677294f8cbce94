/* The vm/ tests' fixture: enable, create, run to completion, tear down. */
#include "vm/vm_test.h"
#include "memory.h"
#include "lib/string.h"

int vm_fixture_begin(struct test_result *result, struct vm_fixture *f,
		     vm_guest_function function, void *argument)
{
	memset(f, 0, sizeof *f);
	f->mark = page_allocator_mark(memory_page_allocator());
	f->ops = vm_ops_select(f->reason);
	if (!f->ops || f->ops->probe(f->reason)) {
		test_skip(result, "%s", f->reason);
		return -1;
	}
	if (f->ops->enable(f->reason)) {
		test_fail(result, "%s enable: %s", f->ops->name, f->reason);
		vm_fixture_end(f);
		return -1;
	}
	f->enabled = 1;
	if (vm_vcpu_setup(f->ops, &f->vcpu, function, argument, f->reason)) {
		test_fail(result, "%s vCPU: %s", f->ops->name, f->reason);
		vm_fixture_end(f);
		return -1;
	}
	return 0;
}

void vm_fixture_end(struct vm_fixture *f)
{
	if (f->enabled) {
		if (f->vcpu.arch)
			f->ops->vcpu_destroy(&f->vcpu);
		f->ops->disable();
	}
	f->enabled = 0;
	page_allocator_release(memory_page_allocator(), &f->mark);
}

void vm_fail(struct test_result *result, struct vm_fixture *f, struct vm_exit *exit,
	     const char *what)
{
	char dump[VM_DUMP_SIZE];
	size_t used;

	test_fail(result, "%s: %s", what, vm_exit_text(&f->vcpu, exit));
	test_diagnostic(result, "exit", "\"%s\"", vm_exit_kind_name(exit->kind));
	f->ops->dump(&f->vcpu, dump, sizeof dump);
	used = strlen(result->diagnostics);
	string_copy(result->diagnostics + used, dump, sizeof result->diagnostics - used);
}

int vm_fixture_run(struct test_result *result, struct vm_fixture *f)
{
	struct vm_exit exit;

	for (;;) {
		vm_run(&f->vcpu, &exit);
		if (exit.kind <= VM_EXIT_OTHER)
			f->counts[exit.kind]++;
		if (exit.kind == VM_EXIT_HYPERCALL && f->vcpu.regs.rax == VM_HYPERCALL_DONE)
			return 0;
		if (vm_emulate(&f->vcpu, &exit) != 0) {
			vm_fail(result, f, &exit, "unexpected VM exit");
			return -1;
		}
	}
}
