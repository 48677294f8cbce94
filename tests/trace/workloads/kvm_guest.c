/* A minimal KVM guest through the raw /dev/kvm API: one page of real-mode code runs
   x87 additions and an OUT to port 0x10 COUNT times, then HLT. The VMM does AVX work
   at every exit (KVM_EXIT_IO) and runs the vCPU again: the guest's and the VMM's FPU
   state swap at each KVM_RUN (kvm:kvm_fpu), whatever the guest does. With --integer
   the guest adds in general registers instead: a /dev/kvm that emulates real mode
   (kvm-pvm here) has no x87 in its emulator.
   usage: kvm_guest [--integer] [COUNT] [CPU]; exit 0 at the guest's HLT, 4 when
   /dev/kvm is missing or refuses, 5 when the guest's x87 code cannot run. */
#include "workload.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_MEMORY 0x10000
#define CODE_ADDRESS 0x1000

static int fail(const char *what)
{
	fprintf(stderr, "kvm_guest: %s: %s\n", what, strerror(errno));
	return 4;
}

/* fninit; mov cx, COUNT; fld1; loop: fld1; faddp st(1); mov al, cl; out 0x10, al;
   loop loop; hlt. --integer: nop nop; mov cx, COUNT; nop nop; loop: add bx, 1;
   nop nop; mov al, cl; ... */
static void write_code(unsigned char *memory, unsigned count, int integer)
{
	unsigned char code[] = {
		0xdb, 0xe3, 0xb9, (unsigned char)count, (unsigned char)(count >> 8), 0xd9, 0xe8,
		0xd9, 0xe8, 0xde, 0xc1, 0x88, 0xc8, 0xe6, 0x10, 0xe2, 0xf6, 0xf4,
	};
	if (integer) {
		const unsigned char nop2[2] = { 0x90, 0x90 }, add_bx[4] = { 0x83, 0xc3, 0x01, 0x90 };
		memcpy(code, nop2, 2);
		memcpy(code + 5, nop2, 2);
		memcpy(code + 7, add_bx, 4);
	}
	memcpy(memory + CODE_ADDRESS, code, sizeof code);
}

static int set_up_vcpu(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) != 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) != 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof regs);
	regs.rip = CODE_ADDRESS;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) != 0)
		return fail("KVM_SET_REGS");
	return 0;
}

static int run(int vcpu, struct kvm_run *state, unsigned count)
{
	for (unsigned exits = 0;; exits++) {
		if (ioctl(vcpu, KVM_RUN, 0) != 0)
			return fail("KVM_RUN");
		if (state->exit_reason == KVM_EXIT_HLT)
			return exits == count ? 0 : 3;
		if (state->exit_reason == KVM_EXIT_INTERNAL_ERROR && exits == 0) {
			fprintf(stderr, "kvm_guest: the guest's x87 code did not run (internal error %u): try --integer\n",
				state->internal.suberror);
			return 5;
		}
		if (state->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "kvm_guest: exit reason %u after %u exits\n", state->exit_reason, exits);
			return 3;
		}
		avx_work(8);   /* the VMM's own FP work between runs */
	}
}

int main(int argc, char **argv)
{
	int integer = argc > 1 && strcmp(argv[1], "--integer") == 0, first = integer ? 2 : 1;
	unsigned count = number_or(argc, argv, first, 200);
	struct kvm_userspace_memory_region region;
	struct kvm_run *state;
	unsigned char *memory;
	int kvm, vm, vcpu, size;

	pin_to((int)number_or(argc, argv, first + 1, 1));
	if (count == 0 || count > 0xffff)
		return 2;
	if ((kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		return fail("/dev/kvm");
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return fail("KVM_GET_API_VERSION");
	if ((vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		return fail("KVM_CREATE_VM");
	memory = mmap(0, GUEST_MEMORY, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (memory == MAP_FAILED)
		return fail("mmap");
	write_code(memory, count, integer);
	region = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = 0,
						      .memory_size = GUEST_MEMORY, .userspace_addr = (uintptr_t)memory };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) != 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	if ((vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		return fail("KVM_CREATE_VCPU");
	if ((size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	state = mmap(0, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (state == MAP_FAILED)
		return fail("mmap of the vCPU");
	if (set_up_vcpu(vcpu) != 0)
		return 4;
	avx_work(8);
	return run(vcpu, state, count);
}
