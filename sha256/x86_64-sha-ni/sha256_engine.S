/* SPDX-License-Identifier: MIT */
/*
 * Two SHA-256 messages at once with the x86 SHA extensions (SHA-NI): SHA256RNDS2 does two rounds,
 * SHA256MSG1/MSG2 the message schedule (Intel, "New Instructions Supporting the Secure Hash Algorithm
 * on Intel Architecture Processors", 2013). One lane is in C++ (include/purgatory/sha256_engine.h);
 * two lanes are here because their speed depends on the instruction order, which C++ leaves to the
 * compiler.
 *
 * void purgatory_sha256_ni_two_lanes(uint32_t state_a[8], const uint8_t *data_a,
 *                                    uint32_t state_b[8], const uint8_t *data_b,
 *                                    size_t blocks, const uint32_t constants[64])
 *   System V AMD64: rdi, rsi, rdx, rcx, r8, r9. Each state is a..h as eight uint32_t; each lane hashes
 *   `blocks` 64-byte blocks (any alignment; blocks may be 0) exactly as sha256_detail::compress() does.
 *   constants = <purgatory/sha256.h>'s sha256_detail::round_constants, any alignment (one table in the
 *   image for every engine, as the other CPUs' engines take it).
 *
 * Why this order: each SHA256RNDS2 waits for the one before in its own lane, so a second lane fills the
 * cycles the first leaves idle; but SHA256RNDS2 reads its message words from XMM0 implicitly, and the
 * work that forms them (constant added, high pair shuffled down) competes with the rounds for the same
 * pipes. Here every lane's sum of words and constants is formed one four-round step ahead, in a register
 * of its own, and only copied (a renamed move) and shuffled into XMM0 at the rounds; the schedule for
 * the next step sits between. On the project's AMD EPYC (family 26 model 2) that runs two lanes at
 * 1.69-1.72x one, where the same algorithm in C++ with intrinsics ran at 1.52-1.56x and chains of
 * SHA256RNDS2 fed fresh words from memory at 1.71x (docs/performance.md).
 *
 * For the purgatory and the host library alike:
 *   - position independent and without data of its own (the byte-swap mask is built from immediates),
 *     so the relocation-free purgatory links it; hidden, so no GOT entry and no dynamic symbol;
 *   - the purgatory's C++ is built without SSE; the caller must have checked the CPU has SHA-NI, SSSE3
 *     and SSE4.1 (sha256_engine::cpu_has_it()) and, in the purgatory, enabled SSE (CR4.OSFXSR);
 *   - no red zone: the frame is below RSP only after RSP has moved (the purgatory is built
 *     -mno-red-zone), and aligned here rather than trusted to be; every XMM register, RAX, R10 and
 *     R11 are caller-saved in this ABI, RBP (the frame's base) is restored.
 */

/* Lane A's and lane B's state in the layout SHA256RNDS2 takes: ABEF (a in the high word) and CDGH. */
#define ABEF_A %xmm1
#define CDGH_A %xmm2
#define ABEF_B %xmm3
#define CDGH_B %xmm4
/* The sixteen schedule words in use per lane, four per register (W_A0 holds words 0..3 of the block). */
#define W_A0 %xmm5
#define W_A1 %xmm6
#define W_A2 %xmm7
#define W_A3 %xmm8
#define W_B0 %xmm9
#define W_B1 %xmm10
#define W_B2 %xmm11
#define W_B3 %xmm12
/* Each lane's next four words plus their round constants, formed a step before the rounds take them. */
#define SUM_A %xmm13
#define SUM_B %xmm14
#define SCRATCH %xmm15

#define STATE_A %rdi
#define DATA_A %rsi
#define STATE_B %rdx
#define DATA_B %rcx
#define BLOCKS %r8
#define CONSTANTS %r9 /* the caller's table, then the frame's copy of it */
/* Steps 4..11 run as a loop of two (the code is a quarter smaller, and as fast): */
#define LOOP_CONSTANTS %r10 /* CONSTANTS + 64 * iteration */
#define LOOP_LEFT %r11d

/* The frame: each lane's state at the start of the block (added back at its end), the byte-swap mask,
 * and a copy of the round constants, since PADDD takes them as a memory operand, which must be 16-byte
 * aligned (an unaligned load of its own instead ran two lanes at 1.59x one, not 1.70x). */
#define SAVED_ABEF_A 0
#define SAVED_CDGH_A 16
#define SAVED_ABEF_B 32
#define SAVED_CDGH_B 48
#define BIG_ENDIAN_MASK 64
#define ROUND_CONSTANTS 80
#define FRAME_SIZE (80 + 256) /* below RSP rounded down to 16 bytes: whatever the caller's alignment */

/* The state a..h at \state into \abef and \cdgh. */
	.macro	load_state state, abef, cdgh
	movdqu	(\state), SCRATCH
	pshufd	$0xb1, SCRATCH, SCRATCH		/* DCBA */
	movdqu	16(\state), \cdgh
	pshufd	$0x1b, \cdgh, \cdgh		/* HGFE */
	movdqa	SCRATCH, \abef
	palignr	$8, \cdgh, \abef		/* ABEF */
	pblendw	$0xf0, SCRATCH, \cdgh		/* CDGH */
	.endm

	.macro	store_state state, abef, cdgh
	pshufd	$0x1b, \abef, \abef		/* FEBA */
	pshufd	$0xb1, \cdgh, \cdgh		/* DCHG */
	movdqa	\abef, SCRATCH
	pblendw	$0xf0, \cdgh, SCRATCH		/* DCBA */
	palignr	$8, \abef, \cdgh		/* HGFE */
	movdqu	SCRATCH, (\state)
	movdqu	\cdgh, 16(\state)
	.endm

/* The block at \data as sixteen big-endian words; asks for the data 1 KiB ahead, since one block ahead
 * is not enough to hide memory latency on large buffers. */
	.macro	load_words data, w0, w1, w2, w3
	prefetcht0	1024(\data)
	movdqu	(\data), \w0
	pshufb	BIG_ENDIAN_MASK(%rsp), \w0
	movdqu	16(\data), \w1
	pshufb	BIG_ENDIAN_MASK(%rsp), \w1
	movdqu	32(\data), \w2
	pshufb	BIG_ENDIAN_MASK(%rsp), \w2
	movdqu	48(\data), \w3
	pshufb	BIG_ENDIAN_MASK(%rsp), \w3
	.endm

/* \w holds words t-16..t-13 and becomes words t..t+3, from \w1 (t-12..t-9), \w2 (t-8..t-5) and \w3
 * (t-4..t-1): W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16] (FIPS 180-4 6.2.2). MSG1 adds
 * sigma0, PALIGNR picks words t-7..t-4 out of the two newest vectors, MSG2 adds sigma1 (it needs the
 * words it is itself completing, which is why it comes last). */
	.macro	next_words w, w1, w2, w3
	sha256msg1	\w1, \w
	movdqa	\w3, SCRATCH
	palignr	$4, \w2, SCRATCH
	paddd	SCRATCH, \w
	sha256msg2	\w3, \w
	.endm

/* Four rounds of one lane: SHA256RNDS2 uses the low two words of XMM0, so the high pair is shuffled down
 * for the second. The lane's two instructions come together: on this project's EPYC two chains issued
 * that way run at 1.8x one, alternating between lanes instruction by instruction at 1.5x. */
	.macro	four_rounds abef, cdgh, sum
	movdqa	\sum, %xmm0
	sha256rnds2	%xmm0, \abef, \cdgh
	pshufd	$0x0e, \sum, %xmm0
	sha256rnds2	%xmm0, \cdgh, \abef
	.endm

/* Rounds 4g..4g+3 of both lanes; then, if \next, the words of step g+1 and their sums. The registers
 * named are those of step g+1: \wa holds (or, if \expand, becomes) its words, \wa1..\wa3 the three
 * steps after it in the rotation (likewise \wb.. for lane B). */
	.macro	step constants, g, next, expand, wa, wa1, wa2, wa3, wb, wb1, wb2, wb3
	four_rounds	ABEF_A, CDGH_A, SUM_A
	four_rounds	ABEF_B, CDGH_B, SUM_B
	.if \next
	.if \expand
	next_words	\wa, \wa1, \wa2, \wa3
	next_words	\wb, \wb1, \wb2, \wb3
	.endif
	movdqa	\wa, SUM_A
	paddd	(16 * (\g + 1))(\constants), SUM_A
	movdqa	\wb, SUM_B
	paddd	(16 * (\g + 1))(\constants), SUM_B
	.endif
	.endm

/* Steps g..g+3, their constants at \constants + 16 * step: the words of steps g+1, g+2, g+3 are in the
 * rotation's registers 1, 2, 3 and those of step g+4 in register 0. \expand: whether steps g+1..g+3
 * compute their words (else they were loaded); \last: the four steps end the block (no step g+4). */
	.macro	four_steps constants, g, expand, last
	step	\constants, \g,     1, \expand, W_A1, W_A2, W_A3, W_A0, W_B1, W_B2, W_B3, W_B0
	step	\constants, (\g+1), 1, \expand, W_A2, W_A3, W_A0, W_A1, W_B2, W_B3, W_B0, W_B1
	step	\constants, (\g+2), 1, \expand, W_A3, W_A0, W_A1, W_A2, W_B3, W_B0, W_B1, W_B2
	step	\constants, (\g+3), !\last, 1,  W_A0, W_A1, W_A2, W_A3, W_B0, W_B1, W_B2, W_B3
	.endm

	.section .text.purgatory_sha256_ni_two_lanes, "ax", @progbits
	.globl	purgatory_sha256_ni_two_lanes
	.hidden	purgatory_sha256_ni_two_lanes
	.type	purgatory_sha256_ni_two_lanes, @function
	/* 16 bytes, no more: the image's load alignment is its sections' largest (a 64-byte aligned loop
	 * measured no faster) */
	.p2align 4
purgatory_sha256_ni_two_lanes:
	test	BLOCKS, BLOCKS
	jz	2f
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	sub	$FRAME_SIZE, %rsp
	xor	%eax, %eax
4:	movdqu	(CONSTANTS, %rax), %xmm0
	movdqa	%xmm0, ROUND_CONSTANTS(%rsp, %rax)
	add	$16, %eax
	cmp	$256, %eax
	jne	4b
	lea	ROUND_CONSTANTS(%rsp), CONSTANTS
	/* PSHUFB indices that reverse the bytes of each 32-bit word */
	movabs	$0x0405060700010203, %rax
	movq	%rax, %xmm0
	movabs	$0x0c0d0e0f08090a0b, %rax
	pinsrq	$1, %rax, %xmm0
	movdqa	%xmm0, BIG_ENDIAN_MASK(%rsp)
	load_state	STATE_A, ABEF_A, CDGH_A
	load_state	STATE_B, ABEF_B, CDGH_B

	.p2align 4
1:	/* one block of each lane */
	movdqa	ABEF_A, SAVED_ABEF_A(%rsp)
	movdqa	CDGH_A, SAVED_CDGH_A(%rsp)
	movdqa	ABEF_B, SAVED_ABEF_B(%rsp)
	movdqa	CDGH_B, SAVED_CDGH_B(%rsp)
	load_words	DATA_A, W_A0, W_A1, W_A2, W_A3
	load_words	DATA_B, W_B0, W_B1, W_B2, W_B3
	movdqa	W_A0, SUM_A
	paddd	(CONSTANTS), SUM_A
	movdqa	W_B0, SUM_B
	paddd	(CONSTANTS), SUM_B
	four_steps	CONSTANTS, 0, 0, 0
	mov	CONSTANTS, LOOP_CONSTANTS
	mov	$2, LOOP_LEFT
3:	/* steps 4..7, then 8..11 */
	four_steps	LOOP_CONSTANTS, 4, 1, 0
	add	$64, LOOP_CONSTANTS
	dec	LOOP_LEFT
	jnz	3b
	four_steps	CONSTANTS, 12, 1, 1
	paddd	SAVED_ABEF_A(%rsp), ABEF_A
	paddd	SAVED_CDGH_A(%rsp), CDGH_A
	paddd	SAVED_ABEF_B(%rsp), ABEF_B
	paddd	SAVED_CDGH_B(%rsp), CDGH_B
	add	$64, DATA_A
	add	$64, DATA_B
	dec	BLOCKS
	jnz	1b

	store_state	STATE_A, ABEF_A, CDGH_A
	store_state	STATE_B, ABEF_B, CDGH_B
	mov	%rbp, %rsp
	pop	%rbp
2:
	ret
	.size	purgatory_sha256_ni_two_lanes, . - purgatory_sha256_ni_two_lanes

/* No executable stack for the hosted build's linker. */
	.section .note.GNU-stack, "", @progbits
