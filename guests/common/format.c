// SPDX-License-Identifier: MIT
/* printf-style formatting for guests; see format.h for what it supports. */
#include <stdint.h>
#include "format.h"
#include "string.h"

struct spec {
	int left;
	int zero;
	int width;
	int longs;	/* 0: int, 1: long, 2: long long / size_t */
};

static void put(struct sink *sink, char c, int *count)
{
	(*count)++;
	if (sink->pos == sink->size) {
		if (!sink->flush)
			return;
		sink->flush(sink);
	}
	sink->buf[sink->pos++] = c;
}

static void put_padded(struct sink *sink, const char *s, int len,
		       const struct spec *spec, int *count)
{
	int pad = spec->width > len ? spec->width - len : 0;
	char fill = spec->zero && !spec->left ? '0' : ' ';

	/* A zero-padded negative number keeps its sign in front. */
	if (fill == '0' && len && *s == '-') {
		put(sink, *s++, count);
		len--;
	}
	while (!spec->left && pad--)
		put(sink, fill, count);
	while (len--)
		put(sink, *s++, count);
	while (spec->left && pad-- > 0)
		put(sink, ' ', count);
}

static int format_number(char *out, uint64_t v, int base, int upper, int neg)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len = 0;

	do {
		tmp[n++] = digits[v % (uint64_t)base];
		v /= (uint64_t)base;
	} while (v);
	if (neg)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	return len;
}

static uint64_t arg_unsigned(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static const char *parse_spec(const char *fmt, struct spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	for (;; fmt++) {
		if (*fmt == '-')
			spec->left = 1;
		else if (*fmt == '0')
			spec->zero = 1;
		else
			break;
	}
	while (*fmt >= '0' && *fmt <= '9')
		spec->width = spec->width * 10 + (*fmt++ - '0');
	while (*fmt == 'l' || *fmt == 'z') {
		spec->longs++;
		fmt++;
	}
	return fmt;
}

int vformat(struct sink *sink, const char *fmt, va_list ap)
{
	va_list args;
	int count = 0;

	va_copy(args, ap);
	while (*fmt) {
		struct spec spec;
		char num[24];
		const char *s;
		int64_t sv;
		char c;

		if (*fmt != '%') {
			put(sink, *fmt++, &count);
			continue;
		}
		fmt = parse_spec(fmt + 1, &spec);
		c = *fmt ? *fmt++ : '\0';
		switch (c) {
		case 'd':
		case 'i':
			sv = arg_signed(&args, spec.longs);
			put_padded(sink, num, format_number(num,
				   sv < 0 ? -(uint64_t)sv : (uint64_t)sv,
				   10, 0, sv < 0), &spec, &count);
			break;
		case 'u':
			put_padded(sink, num, format_number(num,
				   arg_unsigned(&args, spec.longs), 10, 0, 0),
				   &spec, &count);
			break;
		case 'x':
		case 'X':
			put_padded(sink, num, format_number(num,
				   arg_unsigned(&args, spec.longs), 16,
				   c == 'X', 0), &spec, &count);
			break;
		case 'p':
			put(sink, '0', &count);
			put(sink, 'x', &count);
			put_padded(sink, num, format_number(num,
				   (uintptr_t)va_arg(args, void *), 16, 0, 0),
				   &spec, &count);
			break;
		case 's':
			s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			put_padded(sink, s, (int)strlen(s), &spec, &count);
			break;
		case 'c':
			num[0] = (char)va_arg(args, int);
			put_padded(sink, num, 1, &spec, &count);
			break;
		case '%':
			put(sink, '%', &count);
			break;
		default:
			/* Unknown conversion: show it rather than guess. */
			put(sink, '%', &count);
			if (c)
				put(sink, c, &count);
			break;
		}
	}
	va_end(args);
	return count;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink sink = { .buf = buf, .size = size ? size - 1 : 0 };
	int n = vformat(&sink, fmt, ap);

	if (size)
		buf[sink.pos] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
