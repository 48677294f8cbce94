/* Faults and timeouts in the hosted build go through the kernel's own trap path
   (kernel/arch/trap.c): each signal handler turns the interrupted context into a
   struct trap_frame, calls trap_dispatch, and writes the frame back, so a *_safe()
   wrapper resumes at its fixup with the vector in RAX, a fault inside a test resumes
   at test_resume (kernel/guarded_call.c) with the decoded dump, and any other fault
   ends the run with Bail out!. Linux's trap number (uc_mcontext REG_TRAPNO) is the
   x86 vector; SIGALRM, the hosted watchdog, arrives as vector 2 like the kernel's NMI. */
#include "arch/cpu_tables.h"
#include "arch/safe.h"
#include "arch/trap_frame.h"
#include "arch/x86.h"
#include "host/hosted.h"

#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <ucontext.h>

#define SIGNAL_STACK_SIZE (64 * 1024)

void trap_dispatch(struct trap_frame *frame);   /* kernel/arch/trap.c */

/* guarded_call_abort writes them into the frame; here they are the user selectors. */
uint16_t kernel_code_selector, kernel_data_selector;

static volatile uint64_t signal_fault_address;

uint64_t hosted_read_control_register(unsigned number)
{
	return number == 2 ? signal_fault_address : 0;
}

static const struct {
	size_t frame_offset;
	int context_register;
} registers[] = {
	{ offsetof(struct trap_frame, r15), REG_R15 }, { offsetof(struct trap_frame, r14), REG_R14 },
	{ offsetof(struct trap_frame, r13), REG_R13 }, { offsetof(struct trap_frame, r12), REG_R12 },
	{ offsetof(struct trap_frame, r11), REG_R11 }, { offsetof(struct trap_frame, r10), REG_R10 },
	{ offsetof(struct trap_frame, r9), REG_R9 }, { offsetof(struct trap_frame, r8), REG_R8 },
	{ offsetof(struct trap_frame, rbp), REG_RBP }, { offsetof(struct trap_frame, rdi), REG_RDI },
	{ offsetof(struct trap_frame, rsi), REG_RSI }, { offsetof(struct trap_frame, rdx), REG_RDX },
	{ offsetof(struct trap_frame, rcx), REG_RCX }, { offsetof(struct trap_frame, rbx), REG_RBX },
	{ offsetof(struct trap_frame, rax), REG_RAX }, { offsetof(struct trap_frame, rip), REG_RIP },
	{ offsetof(struct trap_frame, rsp), REG_RSP }, { offsetof(struct trap_frame, rflags), REG_EFL },
};

static void dispatch(ucontext_t *context, uint64_t vector, uint64_t error_code)
{
	greg_t *saved = context->uc_mcontext.gregs;
	struct trap_frame frame = { 0 };

	for (unsigned i = 0; i < sizeof registers / sizeof registers[0]; i++)
		*(uint64_t *)((char *)&frame + registers[i].frame_offset) =
			(uint64_t)saved[registers[i].context_register];
	frame.vector = vector;
	frame.error_code = error_code;
	frame.cs = read_cs();
	frame.ss = read_ss();
	trap_dispatch(&frame);
	for (unsigned i = 0; i < sizeof registers / sizeof registers[0]; i++)
		saved[registers[i].context_register] =
			(greg_t)*(uint64_t *)((char *)&frame + registers[i].frame_offset);
}

/* The vector behind a fault signal, for when the context carries none: QEMU's user-mode
   emulation leaves REG_TRAPNO at -1. Linux sends SIGSEGV with SI_KERNEL for #GP and with
   SEGV_MAPERR/SEGV_ACCERR/SEGV_PKUERR for #PF, SIGBUS with BUS_ADRALN for #AC. */
static uint64_t vector_of_signal(int signal, const siginfo_t *info)
{
	switch (signal) {
	case SIGILL: return VECTOR_UD;
	case SIGFPE: return VECTOR_DE;
	case SIGTRAP: return info->si_code == TRAP_BRKPT ? VECTOR_BP : VECTOR_DB;
	case SIGBUS: return info->si_code == BUS_ADRALN ? VECTOR_AC : VECTOR_GP;
	default: return info->si_code > 0 && info->si_code != SI_KERNEL ? VECTOR_PF : VECTOR_GP;
	}
}

static void on_fault(int signal, siginfo_t *info, void *context_pointer)
{
	ucontext_t *context = context_pointer;
	int64_t trap_number = (int64_t)context->uc_mcontext.gregs[REG_TRAPNO];
	uint64_t vector = (uint64_t)trap_number;

	if (info->si_code <= 0)   /* sent by kill() or raise(): no trap behind it */
		vector = signal == SIGILL ? VECTOR_UD : signal == SIGFPE ? VECTOR_DE : VECTOR_GP;
	else if (trap_number < 0 || trap_number >= 32)
		vector = vector_of_signal(signal, info);
	signal_fault_address = (uint64_t)context->uc_mcontext.gregs[REG_CR2];
	dispatch(context, vector, (uint64_t)context->uc_mcontext.gregs[REG_ERR]);
}

static void on_alarm(int signal, siginfo_t *info, void *context_pointer)
{
	hosted_watchdog_expired();
	signal_fault_address = 0;
	dispatch(context_pointer, VECTOR_NMI, 0);
}

void hosted_traps_init(void)
{
	static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
	struct sigaction action = { 0 };
	stack_t signal_stack = { 0 };

	kernel_code_selector = read_cs();
	kernel_data_selector = read_ss();
	signal_stack.ss_sp = mmap(0, SIGNAL_STACK_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	signal_stack.ss_size = SIGNAL_STACK_SIZE;
	if (signal_stack.ss_sp != MAP_FAILED)
		sigaltstack(&signal_stack, 0);   /* a stack overflow in a test still reports */

	/* A fault inside a fault handler must reach it again (trap.c's depth check ends the
	   run then); SIGALRM waits until the fault handler is done. */
	action.sa_sigaction = on_fault;
	action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&action.sa_mask);
	sigaddset(&action.sa_mask, SIGALRM);
	for (unsigned i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
		sigaction(fault_signals[i], &action, 0);

	action.sa_sigaction = on_alarm;
	action.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&action.sa_mask);
	sigaction(SIGALRM, &action, 0);
}
