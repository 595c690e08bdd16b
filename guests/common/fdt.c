// SPDX-License-Identifier: MIT
/*
 * Flattened device tree reader (Devicetree Specification v0.4, chapter 5).
 * It trusts nothing in the blob: the header's sizes must fit the caller's
 * bound, and every token, name and property is checked against its block
 * (tests/build/test_guest_runtime.py corrupts blobs under AddressSanitizer).
 */
#include "fdt.h"
#include "string.h"

#define FDT_MAGIC	0xd00dfeed
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | b[3];
}

uint64_t fdt_cells(const void *p, int cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt_be32(b + 4 * i);
	return v;
}

static uint32_t header(const void *blob, int word)
{
	return fdt_be32((const uint8_t *)blob + 4 * word);
}

/* Header sizes are u32; the structure block must stay below INT_MAX. */
#define FDT_LIMIT	(1U << 30)

int fdt_open(struct fdt *fdt, const void *blob, uint32_t max_size)
{
	uint64_t total, struct_end, strings_end;

	if (!blob || ((uintptr_t)blob & 3) || max_size < 40 ||
	    header(blob, 0) != FDT_MAGIC)
		return -1;
	/* size_dt_struct (header word 9) exists from version 16 on. */
	if (header(blob, 5) < 16)
		return -1;
	fdt->blob = blob;
	fdt->total_size = header(blob, 1);
	fdt->struct_off = header(blob, 2);
	fdt->strings_off = header(blob, 3);
	fdt->strings_size = header(blob, 8);
	fdt->struct_size = header(blob, 9);
	total = fdt->total_size;
	struct_end = (uint64_t)fdt->struct_off + fdt->struct_size;
	strings_end = (uint64_t)fdt->strings_off + fdt->strings_size;
	if (total > max_size || total > FDT_LIMIT || struct_end > total ||
	    strings_end > total)
		return -1;
	return 0;
}

static uint32_t token_at(const struct fdt *fdt, int off)
{
	if (off < 0 || (uint32_t)off + 4 > fdt->struct_size)
		return FDT_END;
	return fdt_be32(fdt->blob + fdt->struct_off + off);
}

static const char *struct_ptr(const struct fdt *fdt, int off)
{
	return (const char *)fdt->blob + fdt->struct_off + off;
}

static int align4(uint32_t off)
{
	return (int)((off + 3) & ~3U);
}

/*
 * Offset of the token following the one at off, or -1 when the token runs
 * past the structure block (a node name without its NUL, a property
 * longer than what is left).
 */
static int next_token(const struct fdt *fdt, int off)
{
	uint32_t limit = fdt->struct_size, at = (uint32_t)off;
	uint32_t len;

	switch (token_at(fdt, off)) {
	case FDT_BEGIN_NODE:
		len = strnlen(struct_ptr(fdt, off + 4), limit - (at + 4));
		if (at + 4 + len >= limit)
			return -1;
		return align4(at + 4 + len + 1);
	case FDT_PROP:
		if (at + 12 > limit)
			return -1;
		len = fdt_be32(struct_ptr(fdt, off + 4));
		if (len > limit - (at + 12))
			return -1;
		return align4(at + 12 + len);
	case FDT_END_NODE:
	case FDT_NOP:
		return off + 4;
	default:
		return -1;
	}
}

/* The property name at nameoff, if it is NUL-terminated in the block. */
static const char *string_at(const struct fdt *fdt, uint32_t nameoff)
{
	const char *s = (const char *)fdt->blob + fdt->strings_off + nameoff;

	if (nameoff >= fdt->strings_size ||
	    strnlen(s, fdt->strings_size - nameoff) == fdt->strings_size - nameoff)
		return 0;
	return s;
}

int fdt_root(const struct fdt *fdt)
{
	int off = 0;

	while (token_at(fdt, off) == FDT_NOP)
		off += 4;
	if (token_at(fdt, off) != FDT_BEGIN_NODE || next_token(fdt, off) < 0)
		return -1;
	return off;
}

/* Offset just past the FDT_END_NODE closing the node at off, or -1. */
static int skip_node(const struct fdt *fdt, int off)
{
	int depth = 0;

	do {
		uint32_t tok = token_at(fdt, off);

		if (tok == FDT_BEGIN_NODE)
			depth++;
		else if (tok == FDT_END_NODE)
			depth--;
		off = next_token(fdt, off);
	} while (off >= 0 && depth > 0);
	return off;
}

int fdt_next_child(const struct fdt *fdt, int node, int prev)
{
	int off;

	if (node < 0)
		return -1;
	off = prev < 0 ? next_token(fdt, node) : skip_node(fdt, prev);
	while (off >= 0) {
		uint32_t tok = token_at(fdt, off);

		/* A node whose name runs off the block is not returned. */
		if (tok == FDT_BEGIN_NODE)
			return next_token(fdt, off) < 0 ? -1 : off;
		if (tok != FDT_PROP && tok != FDT_NOP)
			return -1;
		off = next_token(fdt, off);
	}
	return -1;
}

const char *fdt_name(const struct fdt *fdt, int node)
{
	return struct_ptr(fdt, node + 4);
}

static int name_matches(const char *node_name, const char *want, size_t len)
{
	if (strncmp(node_name, want, len) != 0)
		return 0;
	if (node_name[len] == '\0')
		return 1;
	/* "memory" matches "memory@80000000" unless the caller gave a unit. */
	return node_name[len] == '@' && !memchr(want, '@', len);
}

static int child_n(const struct fdt *fdt, int node, const char *name,
		   size_t len)
{
	int child = -1;

	while ((child = fdt_next_child(fdt, node, child)) >= 0) {
		if (name_matches(fdt_name(fdt, child), name, len))
			return child;
	}
	return -1;
}

int fdt_child(const struct fdt *fdt, int node, const char *name)
{
	return child_n(fdt, node, name, strlen(name));
}

int fdt_path(const struct fdt *fdt, const char *path)
{
	int node = fdt_root(fdt);

	if (*path != '/')
		return -1;
	while (node >= 0 && *path) {
		const char *end;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		end = path;
		while (*end && *end != '/')
			end++;
		node = child_n(fdt, node, path, (size_t)(end - path));
		path = end;
	}
	return node;
}

const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     int *len)
{
	int off;

	if (node < 0)
		return 0;
	for (off = next_token(fdt, node); off >= 0; off = next_token(fdt, off)) {
		uint32_t tok = token_at(fdt, off);
		uint32_t plen, nameoff;
		const char *pname;

		if (tok == FDT_NOP)
			continue;
		if (tok != FDT_PROP || next_token(fdt, off) < 0)
			return 0;
		/* next_token() accepted it: its value lies in the block. */
		plen = fdt_be32(struct_ptr(fdt, off + 4));
		nameoff = fdt_be32(struct_ptr(fdt, off + 8));
		pname = string_at(fdt, nameoff);
		if (pname && strcmp(pname, name) == 0) {
			if (len)
				*len = (int)plen;
			return struct_ptr(fdt, off + 12);
		}
	}
	return 0;
}

const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_prop(fdt, node, name, &len);

	if (!s || len < 1 || s[len - 1] != '\0')
		return 0;
	return s;
}

int fdt_prop_has_string(const struct fdt *fdt, int node, const char *name,
			const char *str)
{
	int len;
	const char *s = fdt_prop(fdt, node, name, &len);
	const char *end;

	if (!s)
		return 0;
	for (end = s + len; s < end; s += strnlen(s, (size_t)(end - s)) + 1) {
		if (strncmp(s, str, (size_t)(end - s)) == 0)
			return 1;
	}
	return 0;
}

uint32_t fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		      uint32_t dflt)
{
	int len;
	const void *p = fdt_prop(fdt, node, name, &len);

	return p && len == 4 ? fdt_be32(p) : dflt;
}

int fdt_reg(const struct fdt *fdt, int parent, int node, int index,
	    uint64_t *base, uint64_t *size)
{
	uint32_t ac = fdt_prop_u32(fdt, parent, "#address-cells", 2);
	uint32_t sc = fdt_prop_u32(fdt, parent, "#size-cells", 1);
	int len, entry;
	const uint8_t *reg = fdt_prop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc > 2)
		return -1;
	entry = (int)(ac + sc) * 4;
	if (len < entry * (index + 1))
		return -1;
	reg += entry * index;
	*base = fdt_cells(reg, (int)ac);
	*size = sc ? fdt_cells(reg + 4 * ac, (int)sc) : 0;
	return 0;
}
