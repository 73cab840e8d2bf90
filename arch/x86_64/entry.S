/* SPDX-License-Identifier: MIT */
/*
 * x86_64 purgatory entry.
 *
 * Machine state at entry, as Linux's relocate_kernel_64.S leaves it (and our QEMU test bootstrap
 * reproduces):
 *   - 64-bit long mode, paging on, CR3 an identity map covering this image and the loaded segments;
 *   - RFLAGS.IF = 0; CR4.OSFXSR = 0, so SSE instructions fault (the C++ code is built without them);
 *   - RSP, the GDT, the IDT and the segment registers are not ours: none of them is trusted;
 *   - the other general registers carry nothing.
 * Everything is RIP-relative, so the image may sit at any address that keeps its sections' own
 * alignment (the header's load_alignment).
 *
 * What it does: own stack, own GDT (the layout the x86 boot protocol requires of the next kernel's
 * entry, so the same selectors stay valid across the jump: 0x10 64-bit code, 0x18 data), segment
 * registers reloaded, .bss zeroed, then purgatory_main(). From there on the full C++ ABI is available.
 */

#define BOOT_CODE_SELECTOR 0x10
#define BOOT_DATA_SELECTOR 0x18

	.section .text.purgatory_entry, "ax", @progbits
	.globl	purgatory_entry
	.hidden	purgatory_entry
	.type	purgatory_entry, @function
purgatory_entry:
	cli
	cld
	leaq	__purgatory_stack_top(%rip), %rsp

	/* lgdt takes a linear address, known only now: build the descriptor on the stack. */
	leaq	boot_gdt(%rip), %rax
	subq	$16, %rsp
	movw	$(boot_gdt_end - boot_gdt - 1), (%rsp)
	movq	%rax, 2(%rsp)
	lgdt	(%rsp)
	addq	$16, %rsp

	movl	$BOOT_DATA_SELECTOR, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* CS can only be reloaded by a far transfer. */
	leaq	1f(%rip), %rax
	pushq	$BOOT_CODE_SELECTOR
	pushq	%rax
	lretq
1:
	leaq	__purgatory_bss_start(%rip), %rdi
	leaq	__purgatory_bss_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb

	call	purgatory_main
	/* purgatory_main does not return; if it ever did, stop here. */
2:	hlt
	jmp	2b
	.size	purgatory_entry, . - purgatory_entry

	/* Accessed bits preset, so loading a selector never writes to the table. */
	.section .rodata.boot_gdt, "a", @progbits
	.balign	16
boot_gdt:
	.quad	0			/* null */
	.quad	0			/* 0x08: unused */
	.quad	0x00af9b000000ffff	/* 0x10: 64-bit code, present, DPL 0, accessed */
	.quad	0x00cf93000000ffff	/* 0x18: data, 4 GiB, writable, accessed */
boot_gdt_end:

