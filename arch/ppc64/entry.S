/*
 * ppc64 purgatory entry, one source for big- and little-endian builds (ELFv2 ABI in both).
 *
 * Machine state at entry, as Linux's kexec_sequence (arch/powerpc/kernel/misc_64.S) leaves it on the
 * boot CPU:
 *   - 64-bit, real mode (MSR IR/DR clear), external interrupts off (EE clear);
 *   - in the *old* kernel's byte order, which need not be this image's: a little-endian kernel may
 *     start a big-endian purgatory;
 *   - r3 = this CPU's hardware id, r4 = the entry address, r5 = 0, LR = the entry;
 *   - r1, r2 and r13 still belong to the old kernel: none is trusted.
 * The image may sit at any 4-byte aligned address: the TOC pointer and the stack are derived from the PC.
 *
 * What it does: switches the CPU to this image's byte order if needed, sets r2 (TOC) and r1 (stack)
 * from the PC, zeroes .bss, calls purgatory_main(). From there on the full C++ ABI is available.
 */
	.abiversion 2

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

	.section .text.purgatory_entry, "ax", @progbits
	.globl	purgatory_entry
	.hidden	purgatory_entry
	.type	purgatory_entry, @function
purgatory_entry:
	switch_to_image_byte_order

	/* TOC pointer from the PC, then the stack from the TOC. */
	bl	1f
1:	mflr	%r12
	addis	%r2, %r12, .TOC.-1b@ha
	addi	%r2, %r2, .TOC.-1b@l
	addis	%r1, %r2, __purgatory_stack_top@toc@ha
	addi	%r1, %r1, __purgatory_stack_top@toc@l
	li	%r0, 0
	stdu	%r0, -32(%r1)	/* minimal ELFv2 frame, back chain 0 ends any stack walk */

	/* .bss is 16-byte aligned and a multiple of 16 long (linker script). */
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
3:
	bl	purgatory_main
	nop
	/* purgatory_main does not return; if it ever did, stop here. */
4:	b	4b
	.size	purgatory_entry, . - purgatory_entry
