/*
 * spawn: what starting a process or a thread costs here, bare: the floor
 * under ws's fork and thread modes.
 *
 *   spawn [SECS]
 *
 * For about SECS seconds each (default 1, at most 10), it times
 *   fork     fork(), the child _exit(0)s, the parent waitpid()s;
 *   fork+64k the same, the child first writing 64 KiB of the parent's
 *            heap (copy-on-write faults, as a child serving a request);
 *   thread   pthread_create() of a 128 KiB-stack thread, pthread_join();
 * and prints the microseconds each took: wall clock, and CPU time (user
 * and system, the children's included), which a busy machine skews less.
 */
#define _XOPEN_SOURCE 700

#include <sys/resource.h>
#include <sys/wait.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOUCH	(64 * 1024)

static char *heap;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of this process and its waited-for children. */
static double
cpu(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	    kids.ru_stime.tv_sec + (self.ru_utime.tv_usec + self.ru_stime.tv_usec +
	    kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

static void *
nothing(void *arg)
{
	return arg;
}

/* One spawn of KIND: 0 fork, 1 fork and touch, 2 thread. */
static int
once(int kind, pthread_attr_t *attr)
{
	pthread_t t;
	pid_t pid;

	if (kind == 2)
		return pthread_create(&t, attr, nothing, NULL) || pthread_join(t, NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (kind == 1)
			memset(heap, 1, TOUCH);
		_exit(0);
	}
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	static const char *name[] = { "fork", "fork+64k", "thread" };
	double secs = argc > 1 ? atof(argv[1]) : 1, start, end, cpu0;
	pthread_attr_t attr;
	long n;
	int kind;

	if (argc > 2 || secs <= 0 || secs > 10) {
		fprintf(stderr, "usage: spawn [SECS]  (0 < SECS <= 10)\n");
		return 2;
	}
	if (!(heap = malloc(TOUCH)))
		return 1;
	memset(heap, 0, TOUCH);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	for (kind = 0; kind < 3; kind++) {
		cpu0 = cpu();
		start = now();
		end = start + secs;
		for (n = 0; now() < end; n++)
			if (once(kind, &attr) < 0) {
				perror(name[kind]);
				return 1;
			}
		printf("%s wall_us=%.1f cpu_us=%.1f\n", name[kind],
		    (now() - start) * 1e6 / n, (cpu() - cpu0) * 1e6 / n);
	}
	return 0;
}
