/* Self-signals: COUNT times, AVX work, then kill(getpid(), SIGUSR1); the handler
   does AVX work too with --fp-handler, else integer work only. With --nested the
   SIGUSR1 handler sends itself SIGUSR2, whose handler runs inside it (a nested
   handler: a second signal frame), with AVX work under --fp-handler.
   usage: signals [--fp-handler] [--nested] [COUNT] [CPU] */
#include "workload.h"
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t delivered, nested_delivered;
static int handler_uses_fp, nested;

static void on_inner_signal(int signal)
{
	(void)signal;
	if (handler_uses_fp)
		avx_work(2);
	nested_delivered = nested_delivered + 1;
}

static void on_signal(int signal)
{
	(void)signal;
	if (handler_uses_fp)
		avx_work(4);
	if (nested)
		kill(getpid(), SIGUSR2);
	delivered = delivered + 1;
}

static int install(int signal, void (*handler)(int))
{
	struct sigaction action;

	memset(&action, 0, sizeof action);
	action.sa_handler = handler;
	return sigaction(signal, &action, 0);
}

int main(int argc, char **argv)
{
	int first = 1;
	unsigned count;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "--fp-handler") == 0)
			handler_uses_fp = 1;
		else if (strcmp(argv[first], "--nested") == 0)
			nested = 1;
		else
			return 2;
	}
	count = number_or(argc, argv, first, 300);
	pin_to((int)number_or(argc, argv, first + 1, 1));
	if (install(SIGUSR1, on_signal) != 0 || install(SIGUSR2, on_inner_signal) != 0)
		return 2;
	for (unsigned i = 0; i < count; i++) {
		avx_work(8);
		kill(getpid(), SIGUSR1);
	}
	if (delivered != (sig_atomic_t)count)
		return 3;
	return !nested || nested_delivered == (sig_atomic_t)count ? 0 : 3;
}
