/* SPDX-License-Identifier: MIT */
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
 * Before that, kexec_sequence copied the 0x100 bytes at the entry to physical address 0 and sent every
 * other CPU there, to 0x60, big-endian, with r3 = its hardware id. So the first 0x100 bytes below are a
 * stub that works both here and as that copy ("the low stub"):
 *
 *   entry + 0x00  master: switch byte order, then on to the code after the stub
 *   entry + 0x60  secondaries (running the copy at phys 0x60): switch byte order, then wait for the
 *                 master to publish an address in the copy's hold slot and go there
 *   entry + 0xf0  the hold slot
 *
 * The master publishes purgatory_secondary_hold (in this image, away from low memory) once it knows the
 * copy at 0 is really ours (arch.cc), restores low memory if the loader saved it, verifies, and finally
 * releases the secondaries to the next kernel's secondary entry (Linux: its __secondary_hold at 0x60),
 * big-endian with r3 = their id, which is how firmware and Linux's own kexec deliver them.
 *
 * The TOC pointer and the stack are derived from the PC, so the image may sit at any address that keeps
 * its sections' own alignment (the header's load_alignment).
 */
	.abiversion 2

#define LOW_STUB_HOLD_SLOT 0xf0

#include <purgatory/arch/asm.h>

	.section .text.purgatory_entry, "ax", @progbits
	.globl	purgatory_entry
	.hidden	purgatory_entry
	.type	purgatory_entry, @function
purgatory_entry:
	switch_to_image_byte_order
	b	master

	.org	purgatory_entry + 0x60
	/* A secondary CPU, in the copy at physical 0x60. */
	switch_to_image_byte_order
1:	or	1, 1, 1			/* low SMT priority while waiting */
	ld	%r4, LOW_STUB_HOLD_SLOT(0)	/* absolute: the copy's own hold slot */
	cmpdi	%r4, 0
	beq	1b
	or	2, 2, 2
	mtctr	%r4
	bctr

	.org	purgatory_entry + LOW_STUB_HOLD_SLOT
	.8byte	0
	.org	purgatory_entry + 0x100

master:
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
	/* The booting CPU's id, for the device tree's boot_cpuid_phys (arch.cc). */
	addis	%r9, %r2, purgatory_boot_cpu_id@toc@ha
	std	%r3, purgatory_boot_cpu_id@toc@l(%r9)

	bl	purgatory_main
	nop
	/* purgatory_main does not return; if it ever did, stop here. */
4:	b	4b
	.size	purgatory_entry, . - purgatory_entry

