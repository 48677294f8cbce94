/* Two threads pinned to one CPU hand a token back and forth through two pipes,
   ROUNDS times; both do AVX work in each turn, or with --one-fp only the first.
   usage: pingpong [--one-fp] [ROUNDS] [CPU] */
#include "workload.h"
#include <pthread.h>
#include <unistd.h>

static int to_second[2], to_first[2];
static unsigned rounds, cpu;
static int second_uses_fp = 1;

static void pass(int from, int to, int fp)
{
	char token;
	if (read(from, &token, 1) != 1)
		exit(3);
	if (fp)
		avx_work(8);
	if (write(to, &token, 1) != 1)
		exit(3);
}

static void *second(void *unused)
{
	(void)unused;
	pin_to((int)cpu);
	for (unsigned i = 0; i < rounds; i++)
		pass(to_second[0], to_first[1], second_uses_fp);
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t thread;
	int first = 1;
	char token = 't';

	if (argc > 1 && strcmp(argv[1], "--one-fp") == 0) {
		second_uses_fp = 0;
		first = 2;
	}
	rounds = number_or(argc, argv, first, 1000);
	cpu = number_or(argc, argv, first + 1, 1);
	if (pipe(to_second) != 0 || pipe(to_first) != 0)
		return 2;
	pin_to((int)cpu);
	if (pthread_create(&thread, 0, second, 0) != 0)
		return 2;
	avx_work(8);
	if (write(to_second[1], &token, 1) != 1)
		return 3;
	for (unsigned i = 0; i + 1 < rounds; i++)
		pass(to_first[0], to_second[1], 1);
	if (read(to_first[0], &token, 1) != 1)
		return 3;
	pthread_join(thread, 0);
	return 0;
}
