#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints the hypervisor's footprint after a link: usage: footprint.sh NM ELF
#
# The one definition of the footprint: the link prints this line and
# `make bench` (tests/bench/run.py) runs this script and reports its figures,
# so the two agree to the byte. docs/performance.md describes the figures.
# All of them come from hypervisor.ld's boundary symbols, so the payloads
# placed after _end are never counted.
set -eu
nm=$1
elf=$2

# A failed nm must fail the script, not feed awk an empty symbol table.
symbols=$("$nm" -S "$elf")
printf '%s\n' "$symbols" | awk -v elf="$elf" '
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
		n = split("__image_start __etext __bss_start __bss_end _end " \
			"bh_stacks bh_hart_states bh_vcpus bh_stack_size", needed, " ")
		for (i = 1; i <= n; i++) {
			if (!(needed[i] in addr)) {
				printf "footprint.sh: %s has no symbol %s\n", elf, needed[i] > "/dev/stderr"
				exit 1
			}
		}
		text = addr["__etext"] - addr["__image_start"]
		data = addr["__bss_start"] - addr["__etext"]
		bss = addr["__bss_end"] - addr["__bss_start"]
		harts = size["bh_stacks"] / addr["bh_stack_size"]
		per_hart = (size["bh_stacks"] + size["bh_hart_states"]) / harts
		total = addr["_end"] - addr["__image_start"]
		printf "  footprint: text %d, rodata+data %d, bss %d, RAM per hart %d (stack + state), vCPU states %d, total %d bytes\n", \
			text, data, bss, per_hart, size["bh_vcpus"], total
	}'
