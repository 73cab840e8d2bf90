/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4) with the Armv8 cryptographic extension's SHA-256 instructions (FEAT_SHA256):
 * SHA256H and SHA256H2 do four rounds on the two state halves, SHA256SU0 and SHA256SU1 compute four
 * message-schedule words (Arm Architecture Reference Manual for A-profile, "SHA256H", "SHA256H2",
 * "SHA256SU0", "SHA256SU1" and the shared pseudocode SHA256hash()).
 *
 * void purgatory_sha256_armv8_blocks(uint32_t state[8], const uint8_t *data, size_t blocks,
 *                                   const uint32_t constants[64])
 *   x0 = state, a..h as eight uint32_t (4-byte aligned); x1 = data, any alignment; x2 = blocks, 64 bytes
 *   each; blocks may be 0; x3 = K[0..63], <purgatory/sha256.h>'s sha256_detail::round_constants (one
 *   table for every engine; include/purgatory/sha256_engine.h passes it). The result is exactly
 *   sha256_detail::compress()'s, so the C++ Sha256 class can use it for whole blocks.
 *
 * One file for the purgatory and for the host library on aarch64 Linux (host/src/sha256_engine_aarch64.cc):
 *   - position independent, with no data of its own (the caller passes the constants), so the
 *     relocation-free purgatory links it;
 *   - hidden: no GOT entry, no dynamic symbol;
 *   - the purgatory's C++ is built -mgeneral-regs-only; the SIMD and SHA-256 instructions are enabled
 *     for this file alone (.arch_extension). The caller must have checked that the CPU has them
 *     (ID_AA64ISAR0_EL1.SHA2 or HWCAP_SHA2) and that FP/SIMD is not trapped (CPACR_EL1.FPEN, CPTR_EL2);
 *   - alignment-safe with the MMU off, where memory is Device memory and an access must be aligned to
 *     its element size: the message is loaded with byte elements (ld1 .16b), the state with 32-bit
 *     and the constants with 32-bit elements from uint32_t arrays;
 *   - AAPCS64: v8-v15 are callee-saved (their low 64 bits); v8 and v9 are used, so d8 and d9 are saved.
 *
 * Registers:
 *   v0  ABCD (lane 0 = a), v1 EFGH (lane 0 = e): the layout SHA256H/SHA256H2 take, which is also the
 *       layout of state[] in memory, so no shuffling is needed
 *   v2, v3  the state at the start of the block (added back at its end)
 *   v4-v7   the sixteen schedule words in use, four per register, words 4i..4i+3 of the block first
 *   v8  ABCD before a four-round step (SHA256H2 needs the old value, SHA256H overwrites it)
 *   v9  four schedule words plus their round constants
 *   v16-v31  the 64 round constants, loaded once per call
 */

	.arch_extension fp
	.arch_extension simd
	.arch_extension sha2

/*
 * Four rounds with the schedule words in v\w and the constants in v\k; if \expand, then also replace v\w
 * by the words sixteen further on: W[t+16..t+19] from W[t..t+3] (v\w), W[t+4..t+7] (v\w1),
 * W[t+8..t+11] (v\w2) and W[t+12..t+15] (v\w3) (FIPS 180-4 6.2.2 step 1:
 * W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16]).
 */
	.macro	four_rounds k, w, w1, w2, w3, expand
	add	v9.4s, v\w\().4s, v\k\().4s
	.if \expand
	sha256su0	v\w\().4s, v\w1\().4s
	.endif
	mov	v8.16b, v0.16b
	sha256h		q0, q1, v9.4s
	sha256h2	q1, q8, v9.4s
	.if \expand
	sha256su1	v\w\().4s, v\w2\().4s, v\w3\().4s
	.endif
	.endm

	.section .text.purgatory_sha256_armv8_blocks, "ax", %progbits
	.globl	purgatory_sha256_armv8_blocks
	.hidden	purgatory_sha256_armv8_blocks
	.type	purgatory_sha256_armv8_blocks, %function
	.p2align 4
purgatory_sha256_armv8_blocks:
	cbz	x2, 2f
	stp	d8, d9, [sp, #-16]!

	ld1	{v16.4s-v19.4s}, [x3], #64
	ld1	{v20.4s-v23.4s}, [x3], #64
	ld1	{v24.4s-v27.4s}, [x3], #64
	ld1	{v28.4s-v31.4s}, [x3]

	ld1	{v0.4s, v1.4s}, [x0]

1:	/* The block's sixteen words, big-endian in memory. */
	ld1	{v4.16b-v7.16b}, [x1], #64
	rev32	v4.16b, v4.16b
	rev32	v5.16b, v5.16b
	rev32	v6.16b, v6.16b
	rev32	v7.16b, v7.16b
	mov	v2.16b, v0.16b
	mov	v3.16b, v1.16b

	/* Rounds 0-47 also compute words 16-63; rounds 48-63 use the last sixteen. */
	four_rounds 16, 4, 5, 6, 7, 1
	four_rounds 17, 5, 6, 7, 4, 1
	four_rounds 18, 6, 7, 4, 5, 1
	four_rounds 19, 7, 4, 5, 6, 1
	four_rounds 20, 4, 5, 6, 7, 1
	four_rounds 21, 5, 6, 7, 4, 1
	four_rounds 22, 6, 7, 4, 5, 1
	four_rounds 23, 7, 4, 5, 6, 1
	four_rounds 24, 4, 5, 6, 7, 1
	four_rounds 25, 5, 6, 7, 4, 1
	four_rounds 26, 6, 7, 4, 5, 1
	four_rounds 27, 7, 4, 5, 6, 1
	four_rounds 28, 4, 5, 6, 7, 0
	four_rounds 29, 5, 6, 7, 4, 0
	four_rounds 30, 6, 7, 4, 5, 0
	four_rounds 31, 7, 4, 5, 6, 0

	add	v0.4s, v0.4s, v2.4s
	add	v1.4s, v1.4s, v3.4s
	subs	x2, x2, #1
	b.ne	1b

	st1	{v0.4s, v1.4s}, [x0]
	ldp	d8, d9, [sp], #16
2:	ret
	.size	purgatory_sha256_armv8_blocks, . - purgatory_sha256_armv8_blocks

/* No executable stack for the hosted build's linker. */
	.section .note.GNU-stack, "", %progbits
