#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints the hypervisor's footprint after a link: usage: footprint.sh NM ELF
set -eu
nm=$1
elf=$2

"$nm" -S "$elf" | awk '
	function hex(s,   i, c, v) {
		v = 0
		s = tolower(s)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)) - 1
			v = v * 16 + c
		}
		return v
	}
	NF == 3 { addr[$3] = hex($1) }
	NF == 4 { addr[$4] = hex($1); size[$4] = hex($2) }
	END {
		text = addr["__etext"] - addr["__image_start"]
		data = addr["__bss_start"] - addr["__etext"]
		bss = addr["__bss_end"] - addr["__bss_start"]
		harts = size["bh_stacks"] / addr["bh_stack_size"]
		per_hart = (size["bh_stacks"] + size["bh_hart_states"]) / harts
		total = addr["_end"] - addr["__image_start"]
		printf "  footprint: text %d, rodata+data %d, bss %d, RAM per hart %d (stack + state), total %d bytes\n", \
			text, data, bss, per_hart, total
	}'
