/* SPDX-License-Identifier: MIT */
/*
 * uart_regs(): every register through the virtual UART's scratch register,
 * to show an emulated access writes its own register and keeps the others,
 * whichever path of the hypervisor takes it (design.md, "Traps").
 */
#ifndef HELLO_UART_REGS_H
#define HELLO_UART_REGS_H

/* What register xn holds around a round trip (n: 1, 3..30). */
#define UART_PATTERN(n)		(0xc0de000000000000 + (n) * 0x0101010101)

/* The registers tried, in order: all but x0, sp and t6 (the address). */
#define UART_REGS_TRIED \
	1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
#define UART_REGS_COUNT		29

#ifndef __ASSEMBLER__
/*
 * For each register xn tried, in order: with every register but sp and t6
 * holding UART_PATTERN(its number) and t6 the scratch register's address
 * scr, "sb xn" then "lbu xn" there. seen[i][m] gets xm as the i-th round
 * trip left it (seen[i][0] and seen[i][2]: 0).
 */
void uart_regs(unsigned long scr, unsigned long seen[UART_REGS_COUNT][32]);
#endif

#endif
