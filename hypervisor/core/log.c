// SPDX-License-Identifier: MIT
/* Hypervisor messages: one "[bulkhead] ..." line each, at BH_LOG_LEVEL. */
#include "bulkhead/console.h"
#include "bulkhead/log.h"

void bh_log(int level, const char *fmt, ...)
{
	static const char prefix[] = "[bulkhead] ";
	char text[BH_CONSOLE_MESSAGE_MAX];
	size_t len = sizeof(prefix) - 1;
	va_list ap;

	if (level > BH_LOG_LEVEL)
		return;
	__builtin_memcpy(text, prefix, len);
	va_start(ap, fmt);
	len += bh_vsnprintf(text + len, sizeof(text) - len, fmt, ap);
	va_end(ap);
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	bh_console_message(text, len);
}
