/* SPDX-License-Identifier: MIT */
/*
 * x86_64: the exception vectors the purgatory installs (arch.cc fills the IDT at run time with these
 * stubs' addresses: a table of addresses in the image would need relocating).
 *
 * Stub n is at purgatory_arch_fault_stubs + 8 * n: it pushes n and joins the common path, which takes
 * the error code where the CPU pushes one (vectors 8, 10-14, 17, 21, 29, 30; Intel SDM vol. 3, 6.13),
 * reads CR2 and calls purgatory_arch_fault(vector, error code, rip, cr2) on the stack it found, which
 * is the purgatory's own (no IST: interrupts stay off throughout). That never returns: a fault means
 * the purgatory cannot go on.
 *
 * An NMI (vector 2) is not a fault of the purgatory's: its stub returns at once. NMIs stay blocked
 * until that iretq, as the architecture defines.
 */
#define ERROR_CODE_VECTORS ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | \
                            (1 << 17) | (1 << 21) | (1 << 29) | (1 << 30))

	.text
	.balign	8
	.globl	purgatory_arch_fault_stubs
	.hidden	purgatory_arch_fault_stubs
purgatory_arch_fault_stubs:
	.irp	vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign	8
	.if	\vector == 2
	iretq
	.else
	pushq	$\vector
	jmp	fault_common
	.endif
	.endr

fault_common:
	popq	%rdi			/* the vector */
	xorl	%esi, %esi		/* the error code, 0 where the CPU pushes none */
	movl	$ERROR_CODE_VECTORS, %eax
	btl	%edi, %eax
	jnc	1f
	popq	%rsi
1:	movq	(%rsp), %rdx		/* the faulting rip */
	movq	%cr2, %rcx
	andq	$-16, %rsp
	call	purgatory_arch_fault
	ud2
