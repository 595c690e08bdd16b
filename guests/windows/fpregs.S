/* SPDX-License-Identifier: MIT */
/* f0-f31 to and from an array of 32 doubles: the values the guest checks. */
	.text
	.option push
	.option arch, +d

/* void fp_load(const uint64_t v[32]) */
	.globl fp_load
fp_load:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (8 * \n)(a0)
	.endr
	ret

/* void fp_store(uint64_t v[32]) */
	.globl fp_store
fp_store:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (8 * \n)(a0)
	.endr
	ret

	.option pop
