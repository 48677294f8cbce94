/* A minimal KVM guest through the raw /dev/kvm API: one page of real-mode code with
   an OUT to port 0x10 COUNT times, then HLT. The VMM does AVX work at every exit
   (KVM_EXIT_IO), which overwrites XMM1, and runs the vCPU again: the guest's and the
   VMM's FPU state swap at each KVM_RUN (kvm:kvm_fpu), whatever the guest does.
   - default: the guest loads a pattern into XMM1 once (MOVDQU, CR4.OSFXSR set) and
     stores XMM1 before every OUT; the VMM checks the stored pattern at each exit, so
     the guest's XMM state must survive the VMM's AVX work. MOVDQU is an instruction
     KVM's emulator executes, so this runs where real mode is emulated (kvm-pvm here).
   - --x87: x87 additions instead (an emulator without x87 cannot run them);
   - --integer: additions in general registers;
   - --vcpus N: N vCPUs of one guest (at most 4), each run by a thread of its own
     pinned to CPU + its index (modulo the CPUs), each with its own data (DS) so the
     checks do not race; each thread is a vCPU of the lab in a capture of it.
   usage: kvm_guest [--x87 | --integer] [--vcpus N] [COUNT] [CPU]; exit 0 at every
   guest's HLT, 4 when /dev/kvm is missing or refuses, 5 when the guest's FP code
   cannot run, 6 when the guest's XMM1 did not survive an exit. */
#include "workload.h"
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_MEMORY 0x10000
#define CODE_ADDRESS 0x1000
#define PATTERN_ADDRESS 0x2000   /* the value the guest loads into XMM1 */
#define STORE_ADDRESS 0x2010     /* where it stores XMM1 before each OUT */
#define CR4_OSFXSR (1u << 9)
#define MAX_VCPUS 4
#define DATA_STRIDE 0x4000       /* vCPU k's data segment: DS base k x 0x4000 */

enum guest_work { WORK_SSE, WORK_X87, WORK_INTEGER };

static const unsigned char pattern[16] = "fpulab guest XMM";

static int fail(const char *what)
{
	fprintf(stderr, "kvm_guest: %s: %s\n", what, strerror(errno));
	return 4;
}

/* Real-mode code, DS = 0: a setup, mov cx, COUNT, a loop body, then mov al, cl;
   out 0x10, al; loop; hlt. */
static const unsigned char sse_setup[] = { 0xf3, 0x0f, 0x6f, 0x0e, 0x00, 0x20 },   /* movdqu xmm1, [0x2000] */
	sse_body[] = { 0xf3, 0x0f, 0x7f, 0x0e, 0x10, 0x20 },                      /* movdqu [0x2010], xmm1 */
	x87_setup[] = { 0xdb, 0xe3, 0xd9, 0xe8 },                                 /* fninit; fld1 */
	x87_body[] = { 0xd9, 0xe8, 0xde, 0xc1 },                                  /* fld1; faddp st(1) */
	integer_body[] = { 0x83, 0xc3, 0x01 };                                    /* add bx, 1 */

static const struct guest_code {
	const unsigned char *setup, *body;
	size_t setup_size, body_size;
} guest_codes[] = {
	[WORK_SSE] = { sse_setup, sse_body, sizeof sse_setup, sizeof sse_body },
	[WORK_X87] = { x87_setup, x87_body, sizeof x87_setup, sizeof x87_body },
	[WORK_INTEGER] = { 0, integer_body, 0, sizeof integer_body },
};

static void write_code(unsigned char *memory, unsigned count, enum guest_work work)
{
	static const unsigned char tail[] = { 0x88, 0xc8, 0xe6, 0x10, 0xe2, 0x00, 0xf4 };
	const struct guest_code *code = &guest_codes[work];
	unsigned char *at = memory + CODE_ADDRESS, *loop;

	if (code->setup_size)
		memcpy(at, code->setup, code->setup_size);
	at += code->setup_size;
	*at++ = 0xb9;   /* mov cx, COUNT */
	*at++ = (unsigned char)count;
	*at++ = (unsigned char)(count >> 8);
	loop = at;
	memcpy(at, code->body, code->body_size);
	at += code->body_size;
	memcpy(at, tail, sizeof tail);
	at[5] = (unsigned char)(loop - (at + 6));   /* loop's rel8, from the next instruction */
}

static int set_up_vcpu(int vcpu, unsigned index, enum guest_work work)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) != 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = index * DATA_STRIDE;
	sregs.ds.selector = (uint16_t)(index * DATA_STRIDE / 16);
	if (work == WORK_SSE)
		sregs.cr4 |= CR4_OSFXSR;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) != 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof regs);
	regs.rip = CODE_ADDRESS;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) != 0)
		return fail("KVM_SET_REGS");
	return 0;
}

/* After an exit of the SSE guest: the pattern must be where it stored XMM1. Cleared
   again, so that each exit checks a new store. */
static int stored_pattern_intact(unsigned char *memory, unsigned exits)
{
	if (memcmp(memory + STORE_ADDRESS, pattern, sizeof pattern) != 0) {
		fprintf(stderr, "kvm_guest: exit %u: the guest's XMM1 is not its pattern but", exits);
		for (unsigned i = 0; i < sizeof pattern; i++)
			fprintf(stderr, " %02x", memory[STORE_ADDRESS + i]);
		fprintf(stderr, "\n");
		return 0;
	}
	memset(memory + STORE_ADDRESS, 0, sizeof pattern);
	return 1;
}

static int run(int vcpu, struct kvm_run *state, unsigned char *memory, unsigned count, enum guest_work work)
{
	for (unsigned exits = 0;; exits++) {
		if (ioctl(vcpu, KVM_RUN, 0) != 0)
			return fail("KVM_RUN");
		if (state->exit_reason == KVM_EXIT_HLT)
			return exits == count ? 0 : 3;
		if (state->exit_reason == KVM_EXIT_INTERNAL_ERROR && exits == 0 && work != WORK_INTEGER) {
			fprintf(stderr, "kvm_guest: the guest's %s code did not run (internal error %u): try --integer\n",
				work == WORK_SSE ? "SSE" : "x87", state->internal.suberror);
			return 5;
		}
		if (state->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "kvm_guest: exit reason %u after %u exits\n", state->exit_reason, exits);
			return 3;
		}
		if (work == WORK_SSE && !stored_pattern_intact(memory, exits))
			return 6;
		avx_work(8);   /* the VMM's own FP work between runs: XMM1 holds its values now */
	}
}

/* One vCPU and the thread that runs it. */
struct vcpu_thread {
	int fd;
	unsigned index, count, cpu;
	enum guest_work work;
	struct kvm_run *state;
	unsigned char *memory;   /* its data segment */
	int status;
};

static void *vcpu_main(void *argument)
{
	struct vcpu_thread *v = argument;

	pin_to((int)v->cpu);
	avx_work(8);
	v->status = run(v->fd, v->state, v->memory, v->count, v->work);
	return 0;
}

static int create_vcpu(int kvm, int vm, struct vcpu_thread *v)
{
	int size;

	if ((v->fd = ioctl(vm, KVM_CREATE_VCPU, v->index)) < 0)
		return fail("KVM_CREATE_VCPU");
	if ((size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	v->state = mmap(0, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->state == MAP_FAILED)
		return fail("mmap of the vCPU");
	return set_up_vcpu(v->fd, v->index, v->work) != 0 ? 4 : 0;
}

int main(int argc, char **argv)
{
	enum guest_work work = WORK_SSE;
	unsigned vcpus = 1, count, cpu;
	struct kvm_userspace_memory_region region;
	struct vcpu_thread thread[MAX_VCPUS];
	pthread_t id[MAX_VCPUS];
	unsigned char *memory;
	int kvm, vm, first = 1, status = 0;

	for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++)
		if (strcmp(argv[first], "--integer") == 0)
			work = WORK_INTEGER;
		else if (strcmp(argv[first], "--x87") == 0)
			work = WORK_X87;
		else if (strcmp(argv[first], "--vcpus") == 0 && first + 1 < argc)
			vcpus = (unsigned)strtoul(argv[++first], 0, 10);
		else
			return 2;
	count = number_or(argc, argv, first, 200);
	cpu = number_or(argc, argv, first + 1, 1);
	if (count == 0 || count > 0xffff || vcpus == 0 || vcpus > MAX_VCPUS)
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
	write_code(memory, count, work);
	region = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = 0,
						      .memory_size = GUEST_MEMORY, .userspace_addr = (uintptr_t)memory };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) != 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	for (unsigned k = 0; k < vcpus; k++) {
		thread[k] = (struct vcpu_thread){ .index = k, .count = count, .work = work,
						  .cpu = (cpu + k) % (unsigned)sysconf(_SC_NPROCESSORS_ONLN),
						  .memory = memory + k * DATA_STRIDE };
		memcpy(thread[k].memory + PATTERN_ADDRESS, pattern, sizeof pattern);
		if ((status = create_vcpu(kvm, vm, &thread[k])) != 0)
			return status;
	}
	for (unsigned k = 1; k < vcpus; k++)
		if (pthread_create(&id[k], 0, vcpu_main, &thread[k]) != 0)
			return fail("pthread_create");
	vcpu_main(&thread[0]);
	status = thread[0].status;
	for (unsigned k = 1; k < vcpus; k++) {
		pthread_join(id[k], 0);
		if (!status)
			status = thread[k].status;
	}
	return status;
}
