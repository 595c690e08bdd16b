/* SPDX-License-Identifier: MIT */
/* Hypervisor messages ("[bulkhead] ...") and panic. */
#ifndef BULKHEAD_LOG_H
#define BULKHEAD_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bulkhead/compiler.h"
#include "bulkhead_config.h"

#define BH_LOG_ERROR	0
#define BH_LOG_WARN	1
#define BH_LOG_INFO	2
#define BH_LOG_DEBUG	3

/* printf subset: %s %c %d %i %u %x %p with l/ll/z, width, '0' and '#'. */
size_t bh_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t bh_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * One "[bulkhead] ..." message line (no newline) formatted into text of
 * size bytes; returns its length, cut to fit (< size).
 */
size_t bh_log_format(char *text, size_t size, const char *fmt, va_list ap);

void bh_log(int level, const char *fmt, ...) __printf(2, 3);

/*
 * Above BH_LOG_LEVEL a message costs nothing: not even its arguments are
 * evaluated (the PMP digest of a debug line, say).
 */
#define bh_log_at(level, ...)						\
	do {								\
		if ((level) <= BH_LOG_LEVEL)				\
			bh_log((level), __VA_ARGS__);			\
	} while (0)

#define bh_err(...)	bh_log_at(BH_LOG_ERROR, __VA_ARGS__)
#define bh_warn(...)	bh_log_at(BH_LOG_WARN, __VA_ARGS__)
#define bh_info(...)	bh_log_at(BH_LOG_INFO, __VA_ARGS__)
#define bh_debug(...)	bh_log_at(BH_LOG_DEBUG, __VA_ARGS__)

/* A hypervisor bug: print, stop all harts, exit QEMU with a failure code. */
void bh_panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#endif
