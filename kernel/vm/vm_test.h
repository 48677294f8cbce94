/* Shared by the vm/ tests, benchmarks and selftests: a fixture that enables VMX or
   SVM, creates one vCPU around a guest function and takes everything back (pages
   included, through the page allocator's mark) at the end. */
#ifndef FPULAB_VM_TEST_H
#define FPULAB_VM_TEST_H

#include "vm/vm.h"
#include "test_runner.h"
#include "lib/page_allocator.h"

struct vm_fixture {
	const struct vm_ops *ops;
	struct vm_vcpu vcpu;
	struct page_allocator_mark mark;
	int enabled;
	uint64_t counts[VM_EXIT_OTHER + 1];   /* exits seen by vm_fixture_run, by kind */
	char reason[VM_REASON_SIZE];
};

/* 0 when the guest is ready to run; else the result says SKIP or not ok, and the
   fixture is already taken down. */
int vm_fixture_begin(struct test_result *result, struct vm_fixture *f,
		     vm_guest_function function, void *argument);
void vm_fixture_end(struct vm_fixture *f);
/* Runs the guest to its VM_HYPERCALL_DONE, emulating every exit on the way. 0 on
   success; else the test is not ok with the exit decoded and the guest dumped. */
int vm_fixture_run(struct test_result *result, struct vm_fixture *f);
/* not ok: the reason, the decoded exit and the guest-state dump. */
void vm_fail(struct test_result *result, struct vm_fixture *f, struct vm_exit *exit,
	     const char *what);

/* Guest payloads (kernel/vm/vm_guests.c). */
struct guest_cpuid { uint32_t leaf, eax, ebx, ecx, edx; };
struct guest_msr { uint64_t xfd_written, xfd_read, xfd_err_read; };
struct guest_nm { int vector; uint64_t cr0_after; };
struct guest_fpu {
	uint64_t xcr0, mask, xcr0_read;
	uint8_t *patterns, *check;
	unsigned rounds;
	long mismatch;        /* -1: none */
};
void guest_nothing(void *argument);
void guest_ping(void *count);
void guest_hlt(void *argument);
void guest_cpuid(void *cpuid_block);
void guest_xsetbv(void *xcr0_and_readback);
void guest_msr(void *msr_block);
void guest_nm(void *nm_block);
void guest_fpu(void *fpu_block);
void guest_hang(void *argument);
/* Endless loops for the benchmarks: one kind of exit per iteration. */
void guest_loop_hypercall(void *argument);
void guest_loop_cpuid(void *argument);
void guest_loop_hlt(void *argument);
void guest_loop_xsetbv(void *xcr0);
void guest_loop_msr(void *argument);
void guest_loop_nm(void *argument);

#endif
