/* SPDX-License-Identifier: MIT */
/*
 * Assembler macros shared by ppc64 entry code (arch/ppc64 and the boot tests' stand-in next kernel): both byte orders,
 * ELFv2. Include from .S files only.
 */
#ifndef PURGATORY_ARCH_PPC64_ASM_H
#define PURGATORY_ARCH_PPC64_ASM_H

/*
 * Emit an instruction word byte-swapped. Used by the byte-order switch below, which must execute
 * correctly when the CPU runs in the byte order opposite to the one this file was assembled for.
 */
	.macro	opposite_order_insn word
	.long	((\word >> 24) & 0xff) | ((\word >> 8) & 0xff00) | ((\word << 8) & 0xff0000) | ((\word << 24) & 0xff000000)
	.endm

/*
 * Switch to this image's byte order. In the right order, "tdi 0,0,0x48" never traps and the branch
 * skips the rest. In the wrong order the CPU reads that word as "b .+8" and runs the byte-swapped
 * sequence, which flips MSR[LE] with an rfid to the label after it. Same words in both builds.
 * Clobbers r10, r11, LR, SRR0, SRR1.
 */
	.macro	switch_to_image_byte_order
	tdi	0, 0, 0x48
	b	191f
	opposite_order_insn 0x7d6000a6	/* mfmsr  r11 */
	opposite_order_insn 0x696b0001	/* xori   r11, r11, 1      (MSR[LE]) */
	opposite_order_insn 0x39400000	/* li     r10, 0 */
	opposite_order_insn 0x7d410164	/* mtmsrd r10, 1           (clear EE and RI) */
	opposite_order_insn 0x429f0005	/* bcl    20, 31, .+4 */
	opposite_order_insn 0x7d4802a6	/* mflr   r10 */
	opposite_order_insn 0x394a0014	/* addi   r10, r10, 20     (the label after rfid) */
	opposite_order_insn 0x7d5a03a6	/* mtsrr0 r10 */
	opposite_order_insn 0x7d7b03a6	/* mtsrr1 r11 */
	opposite_order_insn 0x4c000024	/* rfid */
191:
	.endm

/*
 * Branch to the address in \target in big-endian mode, as firmware and kexec deliver CPUs to a
 * kernel: a little-endian CPU gets there by an rfid with MSR[LE] cleared. Clobbers r0, r10, CTR, SRR0/1.
 */
	.macro	branch_big_endian target
	mfmsr	%r10
	andi.	%r0, %r10, 1
	beq	192f
	mtsrr0	\target
	clrrdi	%r10, %r10, 1
	mtsrr1	%r10
	rfid
192:	mtctr	\target
	bctr
	.endm

#endif
