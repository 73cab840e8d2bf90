/* SPDX-License-Identifier: MIT */
/*
 * arm64: hashing with the MMU and caches on. (The page tables are built by cache_window.cc.)
 *
 * kexec enters the purgatory with the MMU and caches off, where every load is a Device-nGnRnE access
 * that goes all the way to memory: on hardware that makes hashing tens of MiB slow. This turns on the
 * MMU (an identity map of the purgatory's memory and the segments, Normal write-back memory), the data
 * and the instruction cache for one call of the SHA-256 engine, and puts everything back as it was
 * before returning, so the rest of the purgatory, and the next kernel, see the entry state
 * (Documentation/arch/arm64/booting.rst: MMU off, the image cleaned to the point of coherency, no stale
 * instruction cache entries).
 *
 * void purgatory_arch_hash_in_cache_window(uint32_t *state, const uint8_t *data, size_t blocks,
 *                                          const struct cache_window *window)
 *
 * The caller guarantees: the purgatory's memory [memory_start, memory_end) holds the state (and this
 * code, its stack, the constants, the page tables); data..data + 64 * blocks lies in that memory or in a
 * segment; both are mapped. Its rules about the data cache, which the emulator does not model:
 *
 *   - Memory written with the caches off may have stale lines in the cache (for instance those a
 *     previous window brought in): before the MMU goes on, the purgatory's memory is cleaned and
 *     invalidated to the point of coherency. Nothing is written between that and the SCTLR write.
 *     The data's lines are invalidated too (not cleaned: a segment is only ever read, the old kernel
 *     cleaned it to the point of coherency, and a stale dirty line of the old kernel's must not be
 *     written over it), as Linux's own relocation code does before it copies with the MMU off.
 *   - What the window writes (the engine's stack, the state) sits dirty in the cache: before the MMU
 *     goes off, the purgatory's memory and the data are cleaned and invalidated, so memory is up to date
 *     and no line of the next kernel's image is left behind. Again nothing is written in between.
 *   - The instruction cache is invalidated before and after, and the segments are mapped
 *     execute-never, so no instruction cache line of theirs exists either.
 *   - The TLB is invalidated before (entries of the old kernel's tables) and after (ours).
 *
 * struct cache_window (cache_window.cc), 8-byte fields:
 *   0 ttbr0   8 tcr   16 mair   24 sctlr: the values for the window, at the purgatory's exception level
 *  32 memory_start  40 memory_end  48 el2: nonzero for the EL2 registers (VHE or not), zero for EL1
 *  56 engine: the block function to run inside the window (the Armv8 engine or the portable core; it
 *     keeps to the purgatory's memory, its stack and the data, which are all mapped), called as a
 *     Sha256BlockFunction with a null context
 * (<purgatory/arch/machine.h>, struct CacheWindow, which has more fields after these.)
 */

#include "cache_lines.h"

	.section .text.purgatory_arch_hash_in_cache_window, "ax", %progbits
	.globl	purgatory_arch_hash_in_cache_window
	.hidden	purgatory_arch_hash_in_cache_window
	.type	purgatory_arch_hash_in_cache_window, %function
purgatory_arch_hash_in_cache_window:
	/* Stores before the cleaning below: they reach memory (caches off). */
	stp	x29, x30, [sp, #-112]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x28, x0				/* state */
	mov	x20, x1				/* data */
	mov	x21, x2				/* blocks */
	ldr	x9, [x3, #56]			/* the engine: kept in the frame, stored before the cleaning */
	str	x9, [sp, #96]
	ldp	x9, x10, [x3]			/* window ttbr0, tcr */
	ldp	x11, x12, [x3, #16]		/* window mair, sctlr */
	ldp	x26, x27, [x3, #32]		/* the purgatory's memory */
	ldr	x25, [x3, #48]			/* el2 */

	by_line civac, x26, x27
	add	x16, x20, x21, lsl #6		/* x9-x12 hold the window values */
	by_line ivac, x20, x16
	/* From here to the window: system registers only, no stores. The old values go to x19, x22-x24. */
	cbnz	x25, 1f
	mrs	x19, sctlr_el1
	mrs	x22, ttbr0_el1
	mrs	x23, tcr_el1
	mrs	x24, mair_el1
	msr	mair_el1, x11
	msr	tcr_el1, x10
	msr	ttbr0_el1, x9
	isb
	tlbi	vmalle1
	ic	iallu
	dsb	sy
	isb
	msr	sctlr_el1, x12
	isb
	b	2f
1:	mrs	x19, sctlr_el2
	mrs	x22, ttbr0_el2
	mrs	x23, tcr_el2
	mrs	x24, mair_el2
	msr	mair_el2, x11
	msr	tcr_el2, x10
	msr	ttbr0_el2, x9
	isb
	tlbi	alle2
	ic	iallu
	dsb	sy
	isb
	msr	sctlr_el2, x12
	isb

2:	/* MMU and caches on. */
	ldr	x9, [sp, #96]
	mov	x0, xzr			/* the engine's own context: none (a Sha256BlockFunction) */
	mov	x1, x28
	mov	x2, x20
	mov	x3, x21
	blr	x9

	by_line civac, x26, x27
	add	x9, x20, x21, lsl #6
	by_line civac, x20, x9
	/* From here until the MMU is off: no stores. */
	cbnz	x25, 3f
	msr	sctlr_el1, x19
	isb
	msr	ttbr0_el1, x22
	msr	tcr_el1, x23
	msr	mair_el1, x24
	isb
	tlbi	vmalle1
	b	4f
3:	msr	sctlr_el2, x19
	isb
	msr	ttbr0_el2, x22
	msr	tcr_el2, x23
	msr	mair_el2, x24
	isb
	tlbi	alle2
4:	ic	iallu
	dsb	sy
	isb

	/* MMU and caches off again: these loads read memory, which the cleaning above brought up to date. */
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret
	.size	purgatory_arch_hash_in_cache_window, . - purgatory_arch_hash_in_cache_window
