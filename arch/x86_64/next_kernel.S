/* SPDX-License-Identifier: MIT */
/*
 * x86_64: leaving the purgatory for the next kernel. (The entry stub is entry.S.)
 */

/*
 * void purgatory_arch_enter_next(const struct purgatory_x86_64_state *state)   (state in %rdi)
 *
 * Enters the next kernel as the x86 64-bit boot protocol wants: long mode, identity paging, our GDT
 * (selectors 0x10 code, 0x18 data, as the protocol requires), interrupts off, every general register
 * from *state. The stack is the state's rsp, or ours if that is 0; rip is pushed on it and taken by
 * ret, so the next kernel starts with exactly state->rsp.
 */
	.text
	.globl	purgatory_arch_enter_next
	.hidden	purgatory_arch_enter_next
	.type	purgatory_arch_enter_next, @function
purgatory_arch_enter_next:
	cli
	cld
	movq	64(%rdi), %rax
	testq	%rax, %rax
	jz	1f
	movq	%rax, %rsp
1:	pushq	$0
	popfq
	pushq	0(%rdi)
	movq	8(%rdi), %rax
	movq	16(%rdi), %rbx
	movq	24(%rdi), %rcx
	movq	32(%rdi), %rdx
	movq	40(%rdi), %rsi
	movq	56(%rdi), %rbp
	movq	72(%rdi), %r8
	movq	80(%rdi), %r9
	movq	88(%rdi), %r10
	movq	96(%rdi), %r11
	movq	104(%rdi), %r12
	movq	112(%rdi), %r13
	movq	120(%rdi), %r14
	movq	128(%rdi), %r15
	movq	48(%rdi), %rdi
	ret
	.size	purgatory_arch_enter_next, . - purgatory_arch_enter_next
