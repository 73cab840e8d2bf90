/* SPDX-License-Identifier: MIT */
/*
 * Stand-in next kernel, arm64: entered by the purgatory's jump (MMU off, exceptions masked). Saves
 * x0..x3, the exception level, SCTLR_ELx's M and C bits (MMU and data cache: the boot protocol wants
 * both off) and the FP/SIMD trap register (CPACR_EL1 at EL1, CPTR_EL2 at EL2: the purgatory must give
 * it back as it found it) and, at EL2, HCR_EL2.E2H (whether the trap register has the VHE layout)
 * before touching anything, then reports them (next_kernel.cc).
 */
	.section .text.purgatory_entry, "ax", %progbits
	.globl	purgatory_entry
	.hidden	purgatory_entry
purgatory_entry:
	adrp	x9, next_kernel_registers
	add	x9, x9, :lo12:next_kernel_registers
	stp	x0, x1, [x9]
	stp	x2, x3, [x9, #16]
	mrs	x10, CurrentEL
	lsr	x10, x10, #2
	str	x10, [x9, #32]
	cmp	x10, #2
	b.eq	4f
	mrs	x11, sctlr_el1
	mrs	x12, cpacr_el1
	mov	x14, #0
	b	5f
4:	mrs	x11, sctlr_el2
	mrs	x12, cptr_el2
	mrs	x14, hcr_el2
	ubfx	x14, x14, #34, #1	/* E2H */
5:	mov	x13, #5			/* M (bit 0) and C (bit 2) */
	and	x11, x11, x13
	stp	x11, x12, [x9, #40]
	str	x14, [x9, #56]
	adrp	x9, __purgatory_stack_top
	add	x9, x9, :lo12:__purgatory_stack_top
	mov	sp, x9
	adrp	x9, __purgatory_bss_start
	add	x9, x9, :lo12:__purgatory_bss_start
	adrp	x10, __purgatory_bss_end
	add	x10, x10, :lo12:__purgatory_bss_end
1:	cmp	x9, x10
	b.hs	2f
	stp	xzr, xzr, [x9], #16
	b	1b
2:	bl	next_kernel_main
3:	wfe
	b	3b

	.data
	.balign	8
	.globl	next_kernel_registers
	.hidden	next_kernel_registers
next_kernel_registers:
	.fill	8, 8, 0
