/* SPDX-License-Identifier: MIT */
/*
 * arm64: where the purgatory's exception vectors lead (arch.cc builds the table at run time: each
 * entry is "mov x0, #entry; b purgatory_arch_fault_entry", since an image may not hold addresses).
 *
 * A fault means the purgatory cannot go on, so nothing is saved and nothing returns. The stack is the
 * one the exception was taken on: the entry stub selects SP_ELx, which is the purgatory's. If the MMU
 * is on (a fault inside the cache window, cache_window.S), it is turned off first, as the window's own
 * exit does: the purgatory's memory is cleaned to the point of coherency, so that what the caches hold
 * (the stack) is in memory once accesses bypass them. Then purgatory_arch_fault(entry, ESR, FAR, ELR)
 * reports it, with the MMU off as the purgatory runs everywhere else.
 */
#include "cache_lines.h"

#define SCTLR_M_C_I 0x1005	/* MMU, data cache, instruction cache */

	.text
	.globl	purgatory_arch_fault_entry
	.hidden	purgatory_arch_fault_entry
	.type	purgatory_arch_fault_entry, %function
purgatory_arch_fault_entry:
	mrs	x9, CurrentEL
	cmp	x9, #(2 << 2)
	b.eq	2f
	mrs	x1, esr_el1
	mrs	x2, far_el1
	mrs	x3, elr_el1
	mrs	x10, sctlr_el1
	tbz	x10, #0, 4f
	bl	clean_purgatory_memory
	mov	x11, #SCTLR_M_C_I
	bic	x10, x10, x11
	msr	sctlr_el1, x10
	isb
	tlbi	vmalle1
	b	3f
2:	mrs	x1, esr_el2
	mrs	x2, far_el2
	mrs	x3, elr_el2
	mrs	x10, sctlr_el2
	tbz	x10, #0, 4f
	bl	clean_purgatory_memory
	mov	x11, #SCTLR_M_C_I
	bic	x10, x10, x11
	msr	sctlr_el2, x10
	isb
	tlbi	alle2
3:	ic	iallu
	dsb	sy
	isb
4:	bl	purgatory_arch_fault
5:	wfe
	b	5b
	.size	purgatory_arch_fault_entry, . - purgatory_arch_fault_entry

/* Clean and invalidate [__purgatory_image_start, __purgatory_memory_end). Keeps x0-x10. */
clean_purgatory_memory:
	adrp	x11, __purgatory_image_start
	add	x11, x11, :lo12:__purgatory_image_start
	adrp	x12, __purgatory_memory_end
	add	x12, x12, :lo12:__purgatory_memory_end
	by_line	civac, x11, x12
	ret
