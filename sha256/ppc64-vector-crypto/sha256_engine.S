/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4) with the POWER8 vector crypto facility (Power ISA 2.07): one source for both byte
 * orders, for the purgatory (ELFv2) and for the host library on ppc64 Linux (ELFv2 on ppc64le; Debian's
 * big-endian user space is ELFv1, which only the function entry below has to know about).
 *
 *   void purgatory_sha256_power8_blocks(uint32_t state[8], const uint8_t* data, size_t blocks,
 *                                     const uint32_t constants[64])
 *
 * hashes `blocks` whole 64-byte blocks at `data` (any alignment) into state[0..7] (a..h), exactly as
 * sha256_detail::compress in <purgatory/sha256.h> does. `constants` is that header's round_constants:
 * one table for every engine (include/purgatory/sha256_engine.h passes it). The caller has checked that the CPU is POWER8 or
 * later and, in the purgatory, turned on MSR[VEC] and MSR[VSX] (arch/ppc64/arch.cc).
 *
 * Vector instructions number the elements of a register the same way in both byte orders (element 0 is
 * the most significant word); only loads and stores see the byte order. Below, [x, y, ...] lists
 * elements 0, 1, ...; "-" is an element nobody reads.
 *
 * The rounds. The working variables are kept in pairs, [a, e], [b, f], [c, g], [d, h], one vector each,
 * because every round needs the same work on a and on e:
 *   - vshasigmaw (ST = 1) with SIX selecting Sigma0 for element 0 and Sigma1 for element 1 gives
 *     [Sigma0(a), Sigma1(e)] in one instruction;
 *   - one vsel gives [Maj(a, b, c), Ch(e, f, g)]: Ch(e, f, g) = e ? f : g and Maj(a, b, c) = (a ^ c) ? b : c,
 *     bit by bit, so the selector is [a ^ c, e] and the choices are [b, f] and [c, g];
 *   - their sum is [T2, Sigma1(e) + Ch]; adding [-, h + K[t] + W[t]] gives T1 in element 1, which
 *     vspltw copies everywhere; the new [a, e] = [T2, d] + [T1, T1]; b, c, d (f, g, h) are the old a, b,
 *     c (e, f, g): the four registers change roles every round, by macro arguments, and no value is moved.
 *
 * The message schedule runs four words at a time: W[i] = sigma1(W[i-2]) + W[i-7] + sigma0(W[i-15]) +
 * W[i-16]. W[t+2] and W[t+3] need sigma1 of W[t] and W[t+1], so it takes two vshasigmaw (ST = 0), each
 * computing sigma0 of two words in elements 0 and 1 and sigma1 of two in elements 2 and 3.
 *
 * Loads. lxvw4x and stxvw4x move four 32-bit words, element i <-> the word at address + 4i, each in the
 * CPU's byte order, and need no alignment. So the state and the round constants (native uint32_t) load
 * the same in both byte orders. Message words are big-endian in memory: on big-endian lxvw4x loads them
 * as they are; on little-endian each word arrives byte-reversed, and one vperm per 16 bytes reverses the
 * bytes of every word, with selectors computed in a register (lvsl, below) rather than loaded.
 *
 * Registers: v0..v19 only, all volatile in both ELF ABIs (v20..v31 are left alone, so there is nothing
 * to save); VRSAVE has the bits of v0..v19 set while the function runs and its old value back at the
 * end; VSCR is untouched (no saturating instructions). GPRs r0, r3..r12, CTR, LR (restored), CR0: all
 * volatile. No stack, no TOC and no data of its own, so the purgatory needs no relocation and any caller
 * may call through a pointer.
 */
#if defined(_CALL_ELF) && _CALL_ELF == 2
	.abiversion 2
#endif
	/* The purgatory's C++ is compiled without AltiVec; these instructions are POWER8's (ISA 2.07). */
	.machine power8

/* Vector registers (VMX numbers; in VSX instructions vN is VSR 32 + N). */
#define ABCD	0	/* the hash state across blocks: [a, b, c, d] and [e, f, g, h] */
#define EFGH	1
#define P0	2	/* the working variables in pairs: [a, e], [b, f], [c, g], [d, h] at the start */
#define P1	3
#define P2	4
#define P3	5
#define W0	6	/* message schedule: W[t..t+15], four words each */
#define W1	7
#define W2	8
#define W3	9
#define KW	10	/* K[t..t+3] + W[t..t+3] */
#define KWR	11	/* KW turned so that this round's word is element 1 */
#define T0	12	/* scratch */
#define T1	13
#define T2	14
#define LANE0	15	/* [ones, 0, 0, 0] */
#define SWAP	16	/* little-endian: vperm selectors that reverse the bytes of each word */

/* vshasigmaw's SIX field has one bit per element, element 0 the most significant (8). */
#define SIX_SIGMA1_IN_1	4	/* Sigma0 in element 0, Sigma1 in element 1 */
#define SIX_SIGMA1_IN_23	3	/* sigma0 in elements 0 and 1, sigma1 in 2 and 3 */

/* GPRs: r3 state, r4 data, r5 blocks left, r6 constants, r7..r9 the offsets 16, 32, 48, r10 the round
 * constant pointer, r11 the caller's VRSAVE, r12 the groups of four rounds left, r0 scratch. */

/*
 * One round. \ae, \bf, \cg, \dh hold [a, e], [b, f], [c, g], [d, h]; \kw has K[t] + W[t] in element 1.
 * The new [a, e] goes to \dh's register: the next round passes \dh, \ae, \bf, \cg.
 */
	.macro	round ae, bf, cg, dh, kw
	vshasigmaw T0, \ae, 1, SIX_SIGMA1_IN_1	/* [Sigma0(a), Sigma1(e)] */
	vand	T1, \cg, LANE0			/* [c, 0] */
	vxor	T1, \ae, T1			/* [a ^ c, e] */
	vsel	T1, \cg, \bf, T1		/* [Maj(a, b, c), Ch(e, f, g)] */
	vadduwm	T0, T0, T1			/* [T2, Sigma1(e) + Ch(e, f, g)] */
	vadduwm	T1, \dh, \kw			/* [-, h + K[t] + W[t]] */
	vadduwm	T1, T1, T0			/* [-, T1] */
	vspltw	T1, T1, 1			/* [T1, T1] */
	vmrghw	\dh, T0, \dh			/* [T2, d] */
	vadduwm	\dh, \dh, T1			/* [T1 + T2, d + T1]: the new [a, e] */
	.endm

/* Four rounds with the message words in \w (K from r10, which advances). The registers' roles come
 * back to where they were after four rounds. */
	.macro	four_rounds w
	lxvw4x	32+KW, 0, %r10
	addi	%r10, %r10, 16
	vadduwm	KW, KW, \w			/* [k0, k1, k2, k3]: K + W for the four rounds */
	xxsldwi	32+KWR, 32+KW, 32+KW, 3		/* [k3, k0, k1, k2] */
	round	P0, P1, P2, P3, KWR
	round	P3, P0, P1, P2, KW
	xxsldwi	32+KWR, 32+KW, 32+KW, 1		/* [k1, k2, k3, k0] */
	round	P2, P3, P0, P1, KWR
	xxsldwi	32+KWR, 32+KW, 32+KW, 2		/* [k2, k3, k0, k1] */
	round	P1, P2, P3, P0, KWR
	.endm

/*
 * The next four schedule words, W[t..t+3], into \w0, which holds W[t-16..t-13]; \w1, \w2, \w3 hold
 * W[t-12..t-1]. Below, Wn means W[t+n].
 */
	.macro	schedule w0, w1, w2, w3
	xxsldwi	32+T2, 32+\w0, 32+\w1, 3	/* [W-13, W-12, -, -] */
	xxsldwi	32+T0, 32+\w0, 32+\w0, 1	/* [W-15, W-14, -, -] */
	xxpermdi 32+T0, 32+T0, 32+\w3, 1	/* [W-15, W-14, W-2, W-1] */
	vshasigmaw T0, T0, 0, SIX_SIGMA1_IN_23	/* [sigma0(W-15), sigma0(W-14), sigma1(W-2), sigma1(W-1)] */
	xxsldwi	32+T1, 32+\w2, 32+\w3, 1	/* [W-7, W-6, W-5, W-4] */
	vadduwm	\w0, \w0, T1			/* [W-16 + W-7, W-15 + W-6, W-14 + W-5, W-13 + W-4] */
	xxsldwi	32+T1, 32+T0, 32+T0, 2
	vadduwm	T0, T0, T1			/* the sigma terms of W0, W1 (elements 0, 1) */
	vadduwm	T0, \w0, T0			/* [W0, W1, -, -] */
	xxpermdi 32+T2, 32+T2, 32+T0, 0		/* [W-13, W-12, W0, W1] */
	vshasigmaw T2, T2, 0, SIX_SIGMA1_IN_23	/* [sigma0(W-13), sigma0(W-12), sigma1(W0), sigma1(W1)] */
	xxsldwi	32+T1, 32+T2, 32+T2, 2
	vadduwm	T2, T2, T1			/* the sigma terms of W2, W3 (elements 2, 3) */
	vadduwm	\w0, \w0, T2			/* [-, -, W2, W3] */
	xxpermdi 32+\w0, 32+T0, 32+\w0, 1	/* [W0, W1, W2, W3] */
	.endm

/* Function entry: ELFv2 (the purgatory, ppc64le Linux), or ELFv1 with its descriptor (big-endian
 * Linux user space). The code needs no TOC, so ELFv2 has a single entry point. */
	.macro	function_entry name
#if defined(_CALL_ELF) && _CALL_ELF == 2
	.text
	.balign	16
	.globl	\name
	.hidden	\name
	.type	\name, @function
\name:
#else
	.section ".opd", "aw"
	.balign	8
	.globl	\name
	.hidden	\name
	.type	\name, @function
\name:
	.quad	.L.\name, .TOC.@tocbase, 0
	.text
	.balign	16
.L.\name:
#endif
	.endm

	function_entry purgatory_sha256_power8_blocks
	cmpdi	%r5, 0
	beqlr
	mfvrsave %r11
	lis	%r12, 0xffff		/* v0..v15 ... */
	ori	%r12, %r12, 0x8000	/* ... and v16 */
	mtvrsave %r12

	li	%r7, 16
	li	%r8, 32
	li	%r9, 48
#ifdef __LITTLE_ENDIAN__
	/* vperm selectors (register bytes, most significant first) that reverse each word's bytes:
	 * byte i takes source byte i ^ 3. lvsl of address 0 gives 0, 1, ..., 15 in either byte order. */
	li	%r12, 0
	lvsl	SWAP, 0, %r12
	vspltisb T0, 3
	vxor	SWAP, SWAP, T0
#endif
	vspltisw T0, -1
	vspltisw T1, 0
	xxsldwi	32+LANE0, 32+T0, 32+T1, 3	/* [ones, 0, 0, 0] */
	lxvw4x	32+ABCD, 0, %r3
	lxvw4x	32+EFGH, %r7, %r3

.Lblock:
	vmrghw	P0, ABCD, EFGH			/* [a, e, b, f] */
	xxsldwi	32+P1, 32+P0, 32+P0, 2		/* [b, f, a, e] */
	vmrglw	P2, ABCD, EFGH			/* [c, g, d, h] */
	xxsldwi	32+P3, 32+P2, 32+P2, 2		/* [d, h, c, g] */

	/* W[0..15], as the big-endian words they are. */
	lxvw4x	32+W0, 0, %r4
	lxvw4x	32+W1, %r7, %r4
	lxvw4x	32+W2, %r8, %r4
	lxvw4x	32+W3, %r9, %r4
#ifdef __LITTLE_ENDIAN__
	vperm	W0, W0, W0, SWAP
	vperm	W1, W1, W1, SWAP
	vperm	W2, W2, W2, SWAP
	vperm	W3, W3, W3, SWAP
#endif
	addi	%r4, %r4, 64

	/* Sixteen times four rounds on W0, each followed (but for the last four) by the four schedule
	 * words sixteen further on, into W0; then the window moves along, W0..W3 <- W1, W2, W3, W0. One
	 * group in a loop rather than all sixteen written out: a quarter of the code, which counts in a
	 * purgatory image, for five register moves per group. r12 counts the groups left. */
	mr	%r10, %r6
	li	%r12, 16
2:	four_rounds W0
	addi	%r12, %r12, -1
	cmpldi	%r12, 4
	blt	3f				/* W[48..63] are all in W0..W3 already */
	schedule W0, W1, W2, W3
3:	vor	T0, W0, W0
	vor	W0, W1, W1
	vor	W1, W2, W2
	vor	W2, W3, W3
	vor	W3, T0, T0
	cmpldi	%r12, 0
	bne	2b

	/* Back to [a, b, c, d] and [e, f, g, h], added to the state. */
	vmrghw	T0, P0, P1			/* [a, b, e, f] */
	vmrghw	T1, P2, P3			/* [c, d, g, h] */
	xxpermdi 32+T2, 32+T0, 32+T1, 0		/* [a, b, c, d] */
	xxpermdi 32+T1, 32+T0, 32+T1, 3		/* [e, f, g, h] */
	vadduwm	ABCD, ABCD, T2
	vadduwm	EFGH, EFGH, T1

	addi	%r5, %r5, -1
	cmpdi	%r5, 0
	bne	.Lblock

	stxvw4x	32+ABCD, 0, %r3
	stxvw4x	32+EFGH, %r7, %r3
	mtvrsave %r11
	blr
#if defined(_CALL_ELF) && _CALL_ELF == 2
	.size	purgatory_sha256_power8_blocks, . - purgatory_sha256_power8_blocks
#else
	.size	purgatory_sha256_power8_blocks, . - .L.purgatory_sha256_power8_blocks
#endif
