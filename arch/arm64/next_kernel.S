/* SPDX-License-Identifier: MIT */
/*
 * arm64: leaving the purgatory for the next kernel. (The entry stub is entry.S.)
 */

/*
 * void purgatory_arch_enter_next(const struct purgatory_arm64_state *state)   (state in x0)
 *
 * Enters the next kernel as the arm64 boot protocol wants: MMU and caches off (they were never turned
 * on here), exceptions masked, at the exception level we were entered at, x0..x3 from *state.
 */
	.text
	.globl	purgatory_arch_enter_next
	.hidden	purgatory_arch_enter_next
	.type	purgatory_arch_enter_next, %function
purgatory_arch_enter_next:
	mov	x9, x0
	ldr	x10, [x9]
	ldp	x0, x1, [x9, #8]
	ldp	x2, x3, [x9, #24]
	isb
	br	x10
	.size	purgatory_arch_enter_next, . - purgatory_arch_enter_next
