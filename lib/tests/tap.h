/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host tests' minimal TAP runner, for C and C++: CHECK() and
 * CHECK_EQ() print what failed and count it, tap_run() runs a table of
 * tests and prints one "ok N - name" / "not ok N - name" line each.
 */
#ifndef TTKMD_TESTS_TAP_H
#define TTKMD_TESTS_TAP_H

#include <stddef.h>
#include <stdio.h>

static int failed_checks;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		failed_checks++;					\
	}								\
} while (0)
#define CHECK_EQ(exp, got) do {						\
	long long e_ = (long long)(exp), g_ = (long long)(got);	\
	if (e_ != g_) {							\
		printf("# %s:%d: %s: expected %lld, got %lld\n",	\
		       __FILE__, __LINE__, #got, e_, g_);		\
		failed_checks++;					\
	}								\
} while (0)

struct tap_test {
	const char *name;
	void (*fn)(void);
};

/*
 * Run the @n tests of @tests in order, calling @after (may be NULL) after
 * each; each name is printed followed by @suffix. Returns the exit status
 * of the program: 1 when a test failed.
 */
static int tap_run(const struct tap_test *tests, size_t n, const char *suffix,
		   void (*after)(void))
{
	size_t i;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		int before = failed_checks;

		tests[i].fn();
		if (after)
			after();
		if (failed_checks != before)
			failed++;
		printf("%sok %zu - %s%s\n", failed_checks != before ? "not " : "",
		       i + 1, tests[i].name, suffix);
	}
	return failed ? 1 : 0;
}

#endif /* TTKMD_TESTS_TAP_H */
