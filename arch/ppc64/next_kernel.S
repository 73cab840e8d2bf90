/* SPDX-License-Identifier: MIT */
/*
 * ppc64: leaving the purgatory for the next kernel, and where the secondary CPUs wait until then.
 * (The entry stub and the low stub are entry.S.)
 */
	.abiversion 2
#include <purgatory/arch/asm.h>

/*
 * Secondary CPUs wait here, in this image, once the master has published this address in the low
 * stub's hold slot: low memory can then be given back to the next kernel. Released by the master
 * storing the next kernel's secondary entry in purgatory_secondary_release; r3 (the CPU's id) is kept.
 */
	.text
	.globl	purgatory_secondary_hold
	.hidden	purgatory_secondary_hold
	.type	purgatory_secondary_hold, @function
purgatory_secondary_hold:
	bl	1f
1:	mflr	%r11
	addis	%r11, %r11, purgatory_secondary_release-1b@ha
	addi	%r11, %r11, purgatory_secondary_release-1b@l
2:	or	1, 1, 1
	ld	%r12, 0(%r11)
	cmpdi	%r12, 0
	beq	2b
	or	2, 2, 2
	isync
	branch_big_endian %r12
	.size	purgatory_secondary_hold, . - purgatory_secondary_hold

/*
 * void purgatory_arch_enter_next(const struct purgatory_ppc64_state *state)   (state in r3)
 *
 * Enters the next kernel as Linux's ppc64 entry protocol wants: r3 = device tree, r4 = kernel base,
 * r5 = 0 (and r8/r9 for powernv's OPAL), real mode, big-endian.
 */
	.globl	purgatory_arch_enter_next
	.hidden	purgatory_arch_enter_next
	.type	purgatory_arch_enter_next, @function
purgatory_arch_enter_next:
	mr	%r12, %r3
	ld	%r11, 0(%r12)
	ld	%r3, 8(%r12)
	ld	%r4, 16(%r12)
	ld	%r5, 24(%r12)
	ld	%r8, 32(%r12)
	ld	%r9, 40(%r12)
	sync
	isync
	branch_big_endian %r11
	.size	purgatory_arch_enter_next, . - purgatory_arch_enter_next

	.data
	.balign	8
	.globl	purgatory_secondary_release
	.hidden	purgatory_secondary_release
purgatory_secondary_release:
	.8byte	0
	.globl	purgatory_boot_cpu_id
	.hidden	purgatory_boot_cpu_id
purgatory_boot_cpu_id:
	.8byte	0
