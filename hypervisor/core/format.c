// SPDX-License-Identifier: MIT
/* A small vsnprintf: all the hypervisor's messages need, no more. */
#include <stdbool.h>
#include <stdint.h>

#include "bulkhead/log.h"

struct out {
	char *buf;
	size_t size;
	size_t len;	/* characters produced, even beyond size */
};

static void emit(struct out *o, char ch)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = ch;
	o->len++;
}

struct spec {
	unsigned int width;
	bool zero;
	bool alt;
	int longs;
};

static void emit_number(struct out *o, uint64_t v, unsigned int base,
			bool negative, const struct spec *s)
{
	char digits[24];
	unsigned int n = 0, len;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	len = n + negative + (s->alt ? 2 : 0);
	if (!s->zero) {
		for (; len < s->width; len++)
			emit(o, ' ');
	}
	if (negative)
		emit(o, '-');
	if (s->alt) {
		emit(o, '0');
		emit(o, 'x');
	}
	for (; len < s->width; len++)
		emit(o, '0');
	while (n)
		emit(o, digits[--n]);
}

static uint64_t take_unsigned(va_list *ap, int longs)
{
	if (longs >= 2)
		return va_arg(*ap, unsigned long long);
	if (longs == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t take_signed(va_list *ap, int longs)
{
	if (longs >= 2)
		return va_arg(*ap, long long);
	if (longs == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static const char *parse_spec(const char *fmt, struct spec *s)
{
	*s = (struct spec){ 0 };
	for (;; fmt++) {
		if (*fmt == '0')
			s->zero = true;
		else if (*fmt == '#')
			s->alt = true;
		else
			break;
	}
	while (*fmt >= '0' && *fmt <= '9')
		s->width = s->width * 10 + (unsigned int)(*fmt++ - '0');
	for (;; fmt++) {
		if (*fmt == 'l')
			s->longs++;
		else if (*fmt == 'z')
			s->longs = 1;
		else
			break;
	}
	return fmt;
}

static void emit_string(struct out *o, const char *str, const struct spec *s)
{
	size_t len = 0;

	if (!str)
		str = "(null)";
	while (str[len])
		len++;
	for (; len < s->width; len++)
		emit(o, ' ');
	while (*str)
		emit(o, *str++);
}

static void emit_conversion(struct out *o, char conv, struct spec *s,
			    va_list *ap)
{
	int64_t sv;

	switch (conv) {
	case 's':
		emit_string(o, va_arg(*ap, const char *), s);
		break;
	case 'c':
		emit(o, (char)va_arg(*ap, int));
		break;
	case 'd':
	case 'i':
		sv = take_signed(ap, s->longs);
		emit_number(o, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10,
			    sv < 0, s);
		break;
	case 'u':
		emit_number(o, take_unsigned(ap, s->longs), 10, false, s);
		break;
	case 'x':
		emit_number(o, take_unsigned(ap, s->longs), 16, false, s);
		break;
	case 'p':
		s->alt = true;
		emit_number(o, (uintptr_t)va_arg(*ap, void *), 16, false, s);
		break;
	case '%':
		emit(o, '%');
		break;
	default:
		emit(o, '%');
		emit(o, conv);
		break;
	}
}

size_t bh_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	struct spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s);
		if (!*fmt)
			break;
		emit_conversion(&o, *fmt++, &s, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

size_t bh_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = bh_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}
