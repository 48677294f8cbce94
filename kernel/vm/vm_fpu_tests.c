/* vm/fpu-isolation: host and guest each keep their own XCR0 and register contents in
   every XSAVE component fpulab can fill, across many round trips. */
#include "vm/vm_test.h"
#include "support/xsave_support.h"
#include "arch/safe.h"
#include "arch/x86.h"

#define ROUNDS 20

static struct vm_fixture fixture;
static struct guest_fpu block;

static long host_mismatch(uint8_t *check, uint8_t *patterns, uint64_t mask)
{
	xsave_safe(check, mask);
	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++) {
		long byte;
		if (!((mask >> i) & 1))
			continue;
		byte = xsave_component_compare(check, patterns, xsave_components(), mask, i, 0, 0);
		if (byte >= 0)
			return byte + ((long)i << 32);
	}
	return -1;
}

static void setup_areas(uint64_t host_mask, uint64_t guest_mask, uint8_t **host_patterns)
{
	*host_patterns = xsave_area_alloc();
	xsave_area_with_patterns(*host_patterns, host_mask, 21, 0);
	block.patterns = xsave_area_alloc();
	xsave_area_with_patterns(block.patterns, guest_mask, 42, 0);
	block.check = xsave_area_alloc();
	block.mask = guest_mask;
	block.rounds = ROUNDS;
	block.mismatch = -1;
	fixture.vcpu.host_fpu = xsave_area_alloc();
	fixture.vcpu.guest_fpu = xsave_area_alloc();
	xsave_area_all_init(fixture.vcpu.guest_fpu, guest_mask, 0);
	fixture.vcpu.fpu_mask = host_mask;
}

static void run_rounds(struct test_result *result, uint8_t *host_patterns, uint8_t *check, uint64_t mask)
{
	struct vm_exit exit;
	long bad;

	for (;;) {
		vm_run(&fixture.vcpu, &exit);
		if (exit.kind == VM_EXIT_HYPERCALL && fixture.vcpu.regs.rax == VM_HYPERCALL_DONE)
			break;
		if (vm_emulate(&fixture.vcpu, &exit) != 0)
			return vm_fail(result, &fixture, &exit, "unexpected VM exit");
		if ((bad = host_mismatch(check, host_patterns, mask)) >= 0)
			return test_fail(result, "host component %ld differs at byte %ld after a guest exit",
					 bad >> 32, bad & 0xffffffff);
	}
	if (block.mismatch >= 0)
		return test_fail(result, "guest component %ld differs at byte %ld after a round trip",
				 block.mismatch >> 32, block.mismatch & 0xffffffff);
	if (block.xcr0_read != block.xcr0)
		test_fail(result, "guest XCR0 read 0x%llx, set 0x%llx", (unsigned long long)block.xcr0_read,
			  (unsigned long long)block.xcr0);
}

void vm_test_fpu_isolation(struct test_result *result)
{
	uint64_t host_mask = xsave_user_mask(), host_xcr0;
	uint8_t *host_patterns, *check;

	if (!(read_cr4() & CR4_OSXSAVE))
		return test_skip(result, "CR4.OSXSAVE=0 (CPUID.1:ECX.XSAVE[26]=0)");
	if (vm_fixture_begin(result, &fixture, guest_fpu, &block))
		return;
	host_xcr0 = xgetbv(0);
	block.xcr0 = 3;    /* the guest keeps x87 and SSE only */
	setup_areas(host_mask, host_mask & block.xcr0, &host_patterns);
	check = xsave_area_alloc();
	xrstor_safe(host_patterns, host_mask);
	run_rounds(result, host_patterns, check, host_mask);
	if (result->status == TEST_PASS && xgetbv(0) != host_xcr0)
		test_fail(result, "host XCR0 0x%llx after the guest, was 0x%llx",
			  (unsigned long long)xgetbv(0), (unsigned long long)host_xcr0);
	test_diagnostic(result, "host_mask", "\"0x%llx\"", (unsigned long long)host_mask);
	test_diagnostic(result, "guest_xcr0", "\"0x%llx\"", (unsigned long long)block.xcr0);
	test_diagnostic(result, "round_trips", "%u", ROUNDS);
	vm_fixture_end(&fixture);
}
