// SPDX-License-Identifier: MIT
/* Runs every registered test on a freshly reset fake machine. */
#include <stdio.h>
#include <stdlib.h>

#include "fake.h"
#include "runner.h"

#define MAX_TESTS	256

static struct {
	const char *name;
	void (*fn)(void);
} tests[MAX_TESTS];
static int count;
static bool failed;

void runner_register(const char *name, void (*fn)(void))
{
	if (count == MAX_TESTS) {
		fprintf(stderr, "runner: more than %d tests\n", MAX_TESTS);
		exit(2);
	}
	tests[count].name = name;
	tests[count].fn = fn;
	count++;
}

void runner_fail(const char *file, int line, const char *what)
{
	printf("FAIL %s:%d: %s\n", file, line, what);
	failed = true;
}

int main(void)
{
	int i, passed = 0, failures = 0;

	for (i = 0; i < count; i++) {
		fake_reset();
		failed = false;
		tests[i].fn();
		if (!failed && fake.stray) {
			printf("FAIL %s: %s\n", tests[i].name, fake.stray);
			failed = true;
		}
		if (failed) {
			printf("  in test %s\n", tests[i].name);
			failures++;
		} else {
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failures);
	return failures ? 1 : 0;
}
