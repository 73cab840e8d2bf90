/*
 * Stand-in next kernel, arm64: entered by the purgatory's jump (MMU off, exceptions masked). Saves
 * x0..x3 and the exception level before touching anything, then reports them (next_kernel.cc).
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
	.fill	5, 8, 0
