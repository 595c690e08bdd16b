/* SPDX-License-Identifier: MIT */
/*
 * A tiny read-only flattened device tree reader: enough to find the memory
 * node, /chosen, /cpus and devices under /soc in the DTB a capsule boots
 * with. Nodes are named by the offset of their FDT_BEGIN_NODE token in the
 * structure block; a negative offset means "not found".
 */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdint.h>

struct fdt {
	const uint8_t *blob;
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
	uint32_t total_size;
};

/*
 * 0 if blob holds a DTB this reader understands, no larger than max_size
 * bytes; -1 otherwise.
 */
int fdt_open(struct fdt *fdt, const void *blob, uint32_t max_size);

/*
 * The bound guests pass: their DTB lies in the last 64 KiB of their memory
 * (docs/design.md), so it is never larger.
 */
#define FDT_GUEST_MAX_SIZE	0x10000

int fdt_root(const struct fdt *fdt);

/* The child after prev (prev < 0: the first child), or -1. */
int fdt_next_child(const struct fdt *fdt, int node, int prev);

/*
 * The child whose name is name, or whose name is name@unit-address when
 * name has no '@'.
 */
int fdt_child(const struct fdt *fdt, int node, const char *name);

/* Absolute path, e.g. "/cpus" or "/soc"; components match as in fdt_child. */
int fdt_path(const struct fdt *fdt, const char *path);

const char *fdt_name(const struct fdt *fdt, int node);

/* The property's value and length, or 0 when the node lacks it. */
const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     int *len);

/* A property that is one NUL-terminated string, or 0. */
const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name);

/* 1 if the string-list property name contains str. */
int fdt_prop_has_string(const struct fdt *fdt, int node, const char *name,
			const char *str);

/* A one-cell (u32) property, or dflt when absent or malformed. */
uint32_t fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		      uint32_t dflt);

/*
 * Entry index of node's reg property decoded with the #address-cells and
 * #size-cells of parent. Returns 0 on success, -1 when absent or too short.
 */
int fdt_reg(const struct fdt *fdt, int parent, int node, int index,
	    uint64_t *base, uint64_t *size);

/* Big-endian cell reads, also used on property values. */
uint32_t fdt_be32(const void *p);
uint64_t fdt_cells(const void *p, int cells);

#endif
