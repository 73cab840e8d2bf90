/* SPDX-License-Identifier: MIT */
/*
 * ppc64: the purgatory's interrupt vectors, one source for both byte orders (ELFv2).
 *
 * In real mode an interrupt goes to a fixed physical address (0x300 for a data storage interrupt, and
 * so on; Power ISA Book III, 7.5), in the byte order LPCR[ILE] says, which is the old kernel's and
 * need not be this image's. arch.cc copies purgatory_arch_vector_template to each vector it installs
 * (0x200 ... 0x800: storage, alignment, program and facility interrupts and the machine check), patches
 * the vector's number into it, and stores purgatory_arch_fault_common's address in the slot at
 * physical VECTOR_HANDLER_SLOT. The template runs in either byte order, like the entry's byte-order
 * switch: in the wrong one it saves SRR0 and SRR1 in SPRG2 and SPRG3 and flips MSR[LE] with an rfid,
 * in the right one it saves them the same way directly; then r3 = the vector and on to the handler.
 * A fault never returns, so r3, r4, LR, CTR, SRR0/1 and SPRG1-3 are simply used.
 */
	.abiversion 2
#include <purgatory/arch/asm.h>

#define VECTOR_HANDLER_SLOT 0x2f8	/* arch.cc: vector_handler_slot */

	.section .rodata.purgatory_arch_vector_template, "a", @progbits
	.balign	4
	.globl	purgatory_arch_vector_template
	.hidden	purgatory_arch_vector_template
purgatory_arch_vector_template:
	tdi	0, 0, 0x48			/* + 0x00: in the wrong byte order, "b .+8" */
	b	1f				/* + 0x04 */
	opposite_order_insn 0x7c7143a6	/* + 0x08: mtsprg 1, r3 */
	opposite_order_insn 0x7c7a02a6	/* mfsrr0 r3 */
	opposite_order_insn 0x7c7243a6	/* mtsprg 2, r3 */
	opposite_order_insn 0x7c7b02a6	/* mfsrr1 r3 */
	opposite_order_insn 0x7c7343a6	/* mtsprg 3, r3 */
	opposite_order_insn 0x7c6000a6	/* mfmsr  r3 */
	opposite_order_insn 0x68630001	/* xori   r3, r3, 1     (MSR[LE]) */
	opposite_order_insn 0x7c7b03a6	/* mtsrr1 r3 */
	opposite_order_insn 0x429f0005	/* + 0x28: bcl 20, 31, .+4 */
	opposite_order_insn 0x7c6802a6	/* + 0x2c: mflr r3 */
	opposite_order_insn 0x38630028	/* addi   r3, r3, 0x28  (+ 0x54: 2f below) */
	opposite_order_insn 0x7c7a03a6	/* mtsrr0 r3 */
	opposite_order_insn 0x4c000024	/* rfid */
	.org	purgatory_arch_vector_template + 0x40
1:	mtspr	273, %r3			/* SPRG1 */
	mfspr	%r3, 26				/* SRR0 */
	mtspr	274, %r3			/* SPRG2 */
	mfspr	%r3, 27				/* SRR1 */
	mtspr	275, %r3			/* SPRG3 */
2:	li	%r3, 0				/* + 0x54: the vector, patched in by arch.cc */
	ld	%r4, VECTOR_HANDLER_SLOT(0)	/* absolute */
	mtctr	%r4
	bctr
	.globl	purgatory_arch_vector_template_end
	.hidden	purgatory_arch_vector_template_end
purgatory_arch_vector_template_end:

/*
 * In this image's byte order, real mode: r3 = the vector, SPRG2 = SRR0, SPRG3 = SRR1. Takes the TOC from
 * the PC and a stack below the interrupted one when that is the purgatory's (a fault in its code), else
 * its stack's top, then calls purgatory_arch_fault(vector, srr0, srr1, dar, dsisr), which never returns.
 */
	.text
	.globl	purgatory_arch_fault_common
	.hidden	purgatory_arch_fault_common
	.type	purgatory_arch_fault_common, @function
purgatory_arch_fault_common:
	bl	1f
1:	mflr	%r12
	addis	%r2, %r12, .TOC.-1b@ha
	addi	%r2, %r2, .TOC.-1b@l
	addis	%r9, %r2, __purgatory_stack_top@toc@ha
	addi	%r9, %r9, __purgatory_stack_top@toc@l
	addis	%r10, %r2, __purgatory_bss_end@toc@ha
	addi	%r10, %r10, __purgatory_bss_end@toc@l
	cmpld	%r1, %r9
	bge	2f
	cmpld	%r1, %r10
	ble	2f
	addi	%r9, %r1, -1024		/* clear of the ELFv2 protected zone below the interrupted r1 */
2:	clrrdi	%r1, %r9, 4
	li	%r0, 0
	stdu	%r0, -32(%r1)
	mfspr	%r4, 274		/* SPRG2: SRR0 */
	mfspr	%r5, 275		/* SPRG3: SRR1 */
	mfspr	%r6, 19			/* DAR */
	mfspr	%r7, 18			/* DSISR */
	bl	purgatory_arch_fault
	nop
3:	b	3b
	.size	purgatory_arch_fault_common, . - purgatory_arch_fault_common
