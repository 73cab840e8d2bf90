/* SPDX-License-Identifier: MIT */
/*
 * arm64: data cache maintenance by line, for the assembler files that switch caches (cache_window.S)
 * or may have to switch them off (faults.S). Private to arch/arm64; include from .S files only.
 */
#ifndef PURGATORY_ARCH_ARM64_CACHE_LINES_H
#define PURGATORY_ARCH_ARM64_CACHE_LINES_H

/* Data cache maintenance \op (civac: clean and invalidate; ivac: invalidate) on [\start, \end) to the
 * point of coherency, by line; \start is not changed. Clobbers x13-x15. */
	.macro	by_line op, start, end
	mrs	x13, ctr_el0
	ubfx	x13, x13, #16, #4	/* DminLine: log2 of the smallest data cache line, in words */
	mov	x14, #4
	lsl	x14, x14, x13
	sub	x13, x14, #1
	bic	x15, \start, x13
9:	cmp	x15, \end
	b.hs	8f
	dc	\op, x15
	add	x15, x15, x14
	b	9b
8:	dsb	sy
	.endm

#endif
