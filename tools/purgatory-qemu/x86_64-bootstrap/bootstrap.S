/* SPDX-License-Identifier: MIT */
/*
 * x86_64 test bootstrap: starts a raw 64-bit blob under QEMU the way Linux's kexec starts a purgatory.
 *
 * Machine state received (QEMU's multiboot v1 loader, `-kernel bootstrap.bin`):
 *   - 32-bit protected mode, paging off, flat 4 GiB segments from the loader's own GDT;
 *   - EAX = 0x2BADB002, EBX = physical address of the multiboot information structure;
 *   - this image at 0x100000, its .bss zeroed by the loader; no valid stack, IDT or interrupts.
 * The target is the last whitespace-separated token of the multiboot command line, in hexadecimal with
 * or without 0x ("<kernel path> <append string>", so `-append 0x123456000`); it must be below 8 GiB.
 *
 * Machine state handed to the blob, at the target address:
 *   - 64-bit long mode; CR0 = PG|PE|ET only; CR4 = PAE only (OSFXSR clear, so SSE faults, as after
 *     relocate_kernel); EFER = LME|LMA only;
 *   - CR3 an identity map of physical 0..8 GiB, 2 MiB pages, present+writable, all in this image;
 *   - CS = 0x28 (64-bit code), DS = ES = SS = FS = GS = 0x30, from a GDT whose 0x10 and 0x18 are null:
 *     a blob that keeps Linux's boot selectors without loading its own GDT faults;
 *   - IDTR limit 0, so any exception escalates to a triple fault (QEMU -no-reboot then exits with 0);
 *   - RFLAGS.IF = 0, DF = 0; every general register except RSP is zero, RIP = target;
 *   - RSP = top of a 4 KiB stack in this image (Linux leaves it on its control page; a purgatory must
 *     not rely on either).
 * With no usable address it prints "bootstrap: no target address" (or "... above 8 GiB") on COM1 and
 * exits QEMU through isa-debug-exit (port 0xf4) with status 0xff.
 */

#define MULTIBOOT_HEADER_MAGIC		0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2BADB002
/* Bit 16: take the load addresses from the header, so QEMU never parses an ELF (it refuses 64-bit ones). */
#define MULTIBOOT_FLAGS			0x00010000
#define MULTIBOOT_INFO_CMDLINE		(1 << 2)

#define CODE32_SELECTOR		0x08
#define CODE64_SELECTOR		0x28
#define DATA_SELECTOR		0x30

#define COM1			0x3f8
#define COM1_LSR		(COM1 + 5)
#define LSR_THR_EMPTY		0x20
#define DEBUG_EXIT_PORT		0xf4
#define DEBUG_EXIT_FAILURE	0x7f

#define PTE_PRESENT_WRITABLE	0x003
#define PTE_HUGE		0x080
#define IDENTITY_MAP_GIB	8
#define PD_ENTRIES		(IDENTITY_MAP_GIB * 512)

#define CR0_PE			(1 << 0)
#define CR0_ET			(1 << 4)
#define CR0_PG			(1 << 31)
#define CR4_PAE			(1 << 5)
#define MSR_EFER		0xC0000080
#define EFER_LME		(1 << 8)

	.section .multiboot, "a", @progbits
	.balign	4
multiboot_header:
	.long	MULTIBOOT_HEADER_MAGIC
	.long	MULTIBOOT_FLAGS
	.long	-(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_FLAGS)
	.long	multiboot_header		/* header_addr */
	.long	__bootstrap_load_start		/* load_addr */
	.long	__bootstrap_load_end		/* load_end_addr */
	.long	__bootstrap_bss_end		/* bss_end_addr */
	.long	bootstrap_entry			/* entry_addr */

	.text
	.code32
	.globl	bootstrap_entry
	.type	bootstrap_entry, @function
bootstrap_entry:
	cli
	cld
	/* Stop depending on the loader's tables as early as possible: they live in memory we do not own. */
	lgdt	gdt_descriptor
	lidt	null_idt_descriptor
	ljmp	$CODE32_SELECTOR, $1f
1:	movl	$DATA_SELECTOR, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	movl	%ecx, %fs
	movl	%ecx, %gs
	movl	%ecx, %ss
	movl	$stack_top, %esp

	/* Without the magic EBX means nothing, so there is no command line to read. */
	cmpl	$MULTIBOOT_BOOTLOADER_MAGIC, %eax
	jne	no_target
	testl	$MULTIBOOT_INFO_CMDLINE, (%ebx)
	jz	no_target
	movl	16(%ebx), %esi			/* command line start */

	movl	%esi, %edi
2:	cmpb	$0, (%edi)
	je	3f
	incl	%edi
	jmp	2b

	/* Walk back over trailing blanks to the end of the last token. */
3:	cmpl	%esi, %edi
	je	no_target
	movb	-1(%edi), %al
	call	is_space
	jnc	4f
	decl	%edi
	jmp	3b
4:	movl	%edi, %ecx			/* token end, exclusive */

	/*
	 * A token that starts the command line is QEMU's kernel path, never an address: a file named,
	 * say, "cafe" must not be mistaken for one when -append is missing.
	 */
5:	cmpl	%esi, %edi
	je	no_target
	movb	-1(%edi), %al
	call	is_space
	jc	6f
	decl	%edi
	jmp	5b

6:	movl	%ecx, %eax
	subl	%edi, %eax
	cmpl	$2, %eax
	jb	7f
	cmpb	$'0', (%edi)
	jne	7f
	movb	1(%edi), %al
	orb	$0x20, %al			/* accept 0X too */
	cmpb	$'x', %al
	jne	7f
	addl	$2, %edi
7:	cmpl	%ecx, %edi			/* "0x" alone is not a number */
	je	no_target

	/* 64-bit accumulator in EDX:EBX, as 32-bit code has no 64-bit register. */
	xorl	%ebx, %ebx
	xorl	%edx, %edx
8:	movzbl	(%edi), %eax
	cmpb	$'0', %al
	jb	no_target
	cmpb	$'9', %al
	jbe	9f
	orb	$0x20, %al			/* fold case; punctuation between '9' and 'a' still fails */
	cmpb	$'a', %al
	jb	no_target
	cmpb	$'f', %al
	ja	no_target
	subb	$('a' - 10 - '0'), %al
9:	subb	$'0', %al
	testl	$0xf0000000, %edx		/* a 17th significant digit would be lost */
	jnz	no_target
	shldl	$4, %ebx, %edx
	shll	$4, %ebx
	orl	%eax, %ebx
	incl	%edi
	cmpl	%ecx, %edi
	jne	8b

	/* Beyond the identity map the jump would page-fault into a triple fault with no message. */
	cmpl	$(IDENTITY_MAP_GIB / 4), %edx
	jae	target_out_of_range
	/* Memory, not registers: the upper halves of GPRs are undefined across the switch to 64-bit mode. */
	movl	%ebx, target_address
	movl	%edx, target_address + 4

	/* One PML4 entry covers 512 GiB, so a single PDPT holds the whole map. */
	movl	$(pdpt + PTE_PRESENT_WRITABLE), pml4

	movl	$(page_directories + PTE_PRESENT_WRITABLE), %eax
	xorl	%ecx, %ecx
10:	movl	%eax, pdpt(, %ecx, 8)
	addl	$4096, %eax
	incl	%ecx
	cmpl	$IDENTITY_MAP_GIB, %ecx
	jb	10b

	/* The page directories are contiguous, so entry n of the lot maps n * 2 MiB. */
	xorl	%ecx, %ecx
11:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_HUGE + PTE_PRESENT_WRITABLE), %eax
	movl	%eax, page_directories(, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax
	movl	%eax, page_directories + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$PD_ENTRIES, %ecx
	jb	11b

	/* Whole-register writes: whatever the loader or firmware enabled must not leak into the blob. */
	movl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	$EFER_LME, %eax
	xorl	%edx, %edx
	wrmsr
	/* Clears CD/NW, WP, AM, MP, EM, TS and NE as well; relocate_kernel clears the x87/SSE ones too. */
	movl	$(CR0_PG | CR0_ET | CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$CODE64_SELECTOR, $long_mode
	.size	bootstrap_entry, . - bootstrap_entry

/* CF = 1 iff %al is ASCII white space (space, \t \n \v \f \r). Clobbers %ah. */
	.type	is_space, @function
is_space:
	cmpb	$' ', %al
	je	1f
	movb	%al, %ah
	subb	$'\t', %ah
	cmpb	$('\r' - '\t' + 1), %ah
	ret
1:	stc
	ret
	.size	is_space, . - is_space

target_out_of_range:
	movl	$msg_out_of_range, %esi
	jmp	fail
no_target:
	movl	$msg_no_target, %esi
fail:
	/* Poll the transmitter: harmless under QEMU, and the message would be lost on a real UART. */
1:	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %cl
	movw	$COM1_LSR, %dx
2:	inb	%dx, %al
	testb	$LSR_THR_EMPTY, %al
	jz	2b
	movw	$COM1, %dx
	movb	%cl, %al
	outb	%al, %dx
	jmp	1b
3:	movl	$DEBUG_EXIT_FAILURE, %eax
	movw	$DEBUG_EXIT_PORT, %dx
	outl	%eax, %dx
	/* Without isa-debug-exit, stop here rather than run into whatever follows. */
4:	hlt
	jmp	4b

	.code64
	.type	long_mode, @function
long_mode:
	movl	$DATA_SELECTOR, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	leaq	stack_top(%rip), %rsp
	pushq	$0x2				/* bit 1 is reserved-as-one; IF, DF, TF, AC all clear */
	popfq
	/* Return into the blob so that, as in relocate_kernel, no register has to keep the address. */
	pushq	target_address(%rip)
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	ret
	.size	long_mode, . - long_mode

	.section .rodata, "a", @progbits
msg_no_target:
	.asciz	"bootstrap: no target address\n"
msg_out_of_range:
	.asciz	"bootstrap: target address above 8 GiB\n"

	.data
	/*
	 * 0x10 and 0x18 stay null on purpose: they are the selectors the x86 boot protocol gives the next
	 * kernel, and a blob must prove it installs them itself. Accessed bits are preset so the CPU never
	 * has to write to the table.
	 */
	.balign	8
gdt:
	.quad	0					/* 0x00 null */
	.quad	0x00cf9b000000ffff			/* 0x08 32-bit code, flat */
	.quad	0					/* 0x10 */
	.quad	0					/* 0x18 */
	.quad	0					/* 0x20 */
	.quad	0x00af9b000000ffff			/* 0x28 64-bit code */
	.quad	0x00cf93000000ffff			/* 0x30 data, flat */
gdt_end:

	.balign	8
	.word	0					/* puts the base on a 4-byte boundary */
gdt_descriptor:
	.word	gdt_end - gdt - 1
	.long	gdt

	/* Limit 0: no vector is inside the table, so a fault is a clean triple fault, not a wild jump. */
	.balign	8
	.word	0
null_idt_descriptor:
	.word	0
	.long	0

	.bss
	.balign	4096
pml4:
	.skip	4096
pdpt:
	.skip	4096
page_directories:
	.skip	4096 * IDENTITY_MAP_GIB
stack:
	.skip	4096
stack_top:
	.balign	8
target_address:
	.skip	8
