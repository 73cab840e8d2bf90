/* SPDX-License-Identifier: MIT */
/*
 * Stand-in next kernel, x86_64: entered by the purgatory's jump (64-bit mode, identity paging, the
 * purgatory's GDT, interrupts off). Saves every general register before touching any, and the SSE
 * control bits the purgatory's digest engines turn on and must turn off again (CR4.OSFXSR and
 * OSXMMEXCPT, CR0.EM and MP), then reports them (next_kernel.cc).
 */
	.section .text.purgatory_entry, "ax", @progbits
	.globl	purgatory_entry
	.hidden	purgatory_entry
purgatory_entry:
	movq	%rax, next_kernel_registers+0(%rip)
	movq	%rbx, next_kernel_registers+8(%rip)
	movq	%rcx, next_kernel_registers+16(%rip)
	movq	%rdx, next_kernel_registers+24(%rip)
	movq	%rsi, next_kernel_registers+32(%rip)
	movq	%rdi, next_kernel_registers+40(%rip)
	movq	%rbp, next_kernel_registers+48(%rip)
	movq	%rsp, next_kernel_registers+56(%rip)
	movq	%r8, next_kernel_registers+64(%rip)
	movq	%r9, next_kernel_registers+72(%rip)
	movq	%r10, next_kernel_registers+80(%rip)
	movq	%r11, next_kernel_registers+88(%rip)
	movq	%r12, next_kernel_registers+96(%rip)
	movq	%r13, next_kernel_registers+104(%rip)
	movq	%r14, next_kernel_registers+112(%rip)
	movq	%r15, next_kernel_registers+120(%rip)
	movq	%cr4, %rax
	andl	$0x600, %eax		/* OSFXSR (1 << 9) | OSXMMEXCPT (1 << 10) */
	movq	%rax, next_kernel_registers+128(%rip)
	movq	%cr0, %rax
	andl	$0x6, %eax		/* MP (1 << 1) | EM (1 << 2) */
	movq	%rax, next_kernel_registers+136(%rip)
	leaq	__purgatory_stack_top(%rip), %rsp
	leaq	__purgatory_bss_start(%rip), %rdi
	leaq	__purgatory_bss_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	cld
	rep stosb
	call	next_kernel_main
1:	hlt
	jmp	1b

	.data
	.balign	8
	.globl	next_kernel_registers
	.hidden	next_kernel_registers
next_kernel_registers:
	.fill	18, 8, 0
