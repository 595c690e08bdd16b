/* SPDX-License-Identifier: MIT */
/*
 * printf-lite: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a width, and
 * the length modifiers l, ll and z. Output goes to a sink; when its buffer
 * fills, flush() empties it, or (flush == NULL) the rest is dropped.
 */
#ifndef GUEST_FORMAT_H
#define GUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

struct sink {
	char *buf;
	size_t size;
	size_t pos;
	void (*flush)(struct sink *sink);
};

/* Returns the number of characters produced, dropped ones included. */
int vformat(struct sink *sink, const char *fmt, va_list ap);

/* The C library's, over vformat(); the result is always NUL-terminated. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
