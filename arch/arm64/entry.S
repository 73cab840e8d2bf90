/* SPDX-License-Identifier: MIT */
/*
 * arm64 purgatory entry.
 *
 * Machine state at entry, as Linux's relocate_kernel / cpu_soft_restart leave it:
 *   - EL2 (VHE or not) or EL1; MMU off, data and instruction caches off (SCTLR M, C, I clear), so
 *     every data access is Device-nGnRnE: no unaligned accesses (the C++ code is built -mstrict-align);
 *   - DAIF masked; x0 holds the kernel's dtb_mem (0 under kexec_load), x1-x3 zero;
 *   - SP is not ours.
 * The image may sit at any 4 KiB-aligned address: everything below is PC-relative (adr/adrp).
 *
 * What it does: masks exceptions again (cheap, and the contract then does not depend on the caller),
 * takes its own stack (as SP_ELx), zeroes .bss, calls purgatory_main(). From there on the full C++ ABI is available.
 */

	.section .text.purgatory_entry, "ax", %progbits
	.globl	purgatory_entry
	.hidden	purgatory_entry
	.type	purgatory_entry, %function
purgatory_entry:
	msr	daifset, #0xf
	/* SP_ELx, not SP_EL0: an exception is taken on SP_ELx, so the fault vectors find this stack. */
	msr	spsel, #1
	adrp	x9, __purgatory_stack_top
	add	x9, x9, :lo12:__purgatory_stack_top
	mov	sp, x9

	/* .bss is 16-byte aligned and a multiple of 16 long (linker script). */
	adrp	x9, __purgatory_bss_start
	add	x9, x9, :lo12:__purgatory_bss_start
	adrp	x10, __purgatory_bss_end
	add	x10, x10, :lo12:__purgatory_bss_end
1:	cmp	x9, x10
	b.hs	2f
	stp	xzr, xzr, [x9], #16
	b	1b
2:
	bl	purgatory_main
	/* purgatory_main does not return; if it ever did, stop here. */
3:	wfe
	b	3b
	.size	purgatory_entry, . - purgatory_entry

