/* SPDX-License-Identifier: MIT */
/*
 * Stand-in next kernel, ppc64 (both byte orders): entered by the purgatory's jump, real mode,
 * big-endian (so a little-endian build switches first), r3/r4/r5/r8/r9 as the kernel entry protocol
 * gives them. Saves those, and the MSR's VEC and VSX bits (the purgatory turns them on to hash and
 * must turn them off again), before anything else, then reports them (next_kernel.cc).
 */
	.abiversion 2
#include <purgatory/arch/asm.h>

	.section .text.purgatory_entry, "ax", @progbits
	.globl	purgatory_entry
	.hidden	purgatory_entry
purgatory_entry:
	switch_to_image_byte_order
	bl	1f
1:	mflr	%r12
	addis	%r2, %r12, .TOC.-1b@ha
	addi	%r2, %r2, .TOC.-1b@l
	addis	%r12, %r2, next_kernel_registers@toc@ha
	addi	%r12, %r12, next_kernel_registers@toc@l
	std	%r3, 0(%r12)
	std	%r4, 8(%r12)
	std	%r5, 16(%r12)
	std	%r8, 24(%r12)
	std	%r9, 32(%r12)
	mfmsr	%r0
	lis	%r11, 0x0280		/* MSR[VEC] (1 << 25) | MSR[VSX] (1 << 23) */
	and	%r0, %r0, %r11
	std	%r0, 40(%r12)
	addis	%r1, %r2, __purgatory_stack_top@toc@ha
	addi	%r1, %r1, __purgatory_stack_top@toc@l
	li	%r0, 0
	stdu	%r0, -32(%r1)
	addis	%r9, %r2, __purgatory_bss_start@toc@ha
	addi	%r9, %r9, __purgatory_bss_start@toc@l
	addis	%r10, %r2, __purgatory_bss_end@toc@ha
	addi	%r10, %r10, __purgatory_bss_end@toc@l
2:	cmpld	%r9, %r10
	bge	3f
	std	%r0, 0(%r9)
	std	%r0, 8(%r9)
	addi	%r9, %r9, 16
	b	2b
3:	bl	next_kernel_main
	nop
4:	b	4b

	.data
	.balign	8
	.globl	next_kernel_registers
	.hidden	next_kernel_registers
next_kernel_registers:
	.fill	6, 8, 0
