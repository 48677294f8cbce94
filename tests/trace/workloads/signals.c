/* Self-signals: COUNT times, AVX work, then kill(getpid(), SIGUSR1); the handler
   does AVX work too with --fp-handler, else integer work only.
   usage: signals [--fp-handler] [COUNT] [CPU] */
#include "workload.h"
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t delivered;
static int handler_uses_fp;

static void on_signal(int signal)
{
	(void)signal;
	if (handler_uses_fp)
		avx_work(4);
	delivered = delivered + 1;
}

int main(int argc, char **argv)
{
	struct sigaction action;
	int first = 1;
	unsigned count;

	if (argc > 1 && strcmp(argv[1], "--fp-handler") == 0) {
		handler_uses_fp = 1;
		first = 2;
	}
	count = number_or(argc, argv, first, 300);
	pin_to((int)number_or(argc, argv, first + 1, 1));
	memset(&action, 0, sizeof action);
	action.sa_handler = on_signal;
	if (sigaction(SIGUSR1, &action, 0) != 0)
		return 2;
	for (unsigned i = 0; i < count; i++) {
		avx_work(8);
		kill(getpid(), SIGUSR1);
	}
	return delivered == (sig_atomic_t)count ? 0 : 3;
}
