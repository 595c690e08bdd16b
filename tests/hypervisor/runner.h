/* SPDX-License-Identifier: MIT */
/* A minimal test runner: TEST(name) { ... CHECK(cond); ... } */
#ifndef RUNNER_H
#define RUNNER_H

#include <stdbool.h>

void runner_register(const char *name, void (*fn)(void));
void runner_fail(const char *file, int line, const char *what);
bool runner_failed(void);

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void register_##name(void)	\
	{								\
		runner_register(#name, name);				\
	}								\
	static void name(void)

/* Stop the test at the first failed check, naming it. */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			runner_fail(__FILE__, __LINE__, #cond);		\
			return;						\
		}							\
	} while (0)

#endif
