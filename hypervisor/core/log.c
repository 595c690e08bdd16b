// SPDX-License-Identifier: MIT
/* Hypervisor messages: one "[bulkhead] ..." line each, at BH_LOG_LEVEL. */
#include "bulkhead/console.h"
#include "bulkhead/log.h"

size_t bh_log_format(char *text, size_t size, const char *fmt, va_list ap)
{
	static const char prefix[] = "[bulkhead] ";
	size_t len = sizeof(prefix) - 1;

	__builtin_memcpy(text, prefix, len);
	len += bh_vsnprintf(text + len, size - len, fmt, ap);
	return len < size ? len : size - 1;
}

void bh_log(int level, const char *fmt, ...)
{
	char text[BH_CONSOLE_MESSAGE_MAX];
	size_t len;
	va_list ap;

	if (level > BH_LOG_LEVEL)
		return;
	va_start(ap, fmt);
	len = bh_log_format(text, sizeof(text), fmt, ap);
	va_end(ap);
	bh_console_message(text, len);
}
