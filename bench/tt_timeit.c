// SPDX-License-Identifier: GPL-2.0-only
/*
 * Median wall time of a command over N runs, its output discarded:
 *   tt_timeit N COMMAND [ARGS...]     prints "<median ms> <min ms> <max ms>"
 * For benchmarks in the test VM, whose busybox date has no nanoseconds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int i, n = argc > 2 ? atoi(argv[1]) : 0;
	double *ms;

	if (n < 1) {
		fprintf(stderr, "usage: tt_timeit N COMMAND [ARGS...]\n");
		return 2;
	}
	ms = calloc(n, sizeof(*ms));
	if (!ms)
		return 1;
	for (i = 0; i < n; i++) {
		struct timespec t0, t1;
		int status;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, STDOUT_FILENO);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "tt_timeit: %s failed\n", argv[2]);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = (t1.tv_sec - t0.tv_sec) * 1e3 +
			(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	qsort(ms, n, sizeof(*ms), cmp);
	printf("%.1f %.1f %.1f\n", ms[n / 2], ms[0], ms[n - 1]);
	return 0;
}
