/* SPDX-License-Identifier: MIT */
/*
 * The image header at offset 0 (struct purgatory_image_header in <purgatory/abi.h>). Written in
 * assembler because half of it is known only to the linker: sizes and offsets come from absolute
 * symbols that linker-scripts/purgatory.ld defines, which cost no relocation. The arch's constants come
 * from <purgatory/arch/image.h>, a header every arch directory provides under the same name.
 */
#include <purgatory/abi.h>
#include <purgatory/arch/image.h>

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define IMAGE_BYTE_ORDER PURGATORY_BYTE_ORDER_BIG
#else
#define IMAGE_BYTE_ORDER PURGATORY_BYTE_ORDER_LITTLE
#endif

#define IMAGE_FEATURES (PURGATORY_FEATURE_VERIFY_SHA256 | PURGATORY_FEATURE_MEMORY_LOG | \
                        PURGATORY_FEATURE_COPY_AFTER_VERIFY | \
                        PURGATORY_ARCH_FEATURES)

	/* For the linker script, which combines it with the sections' alignment. */
	.globl	__purgatory_arch_min_load_alignment
	.hidden	__purgatory_arch_min_load_alignment
	.set	__purgatory_arch_min_load_alignment, PURGATORY_ARCH_MIN_LOAD_ALIGNMENT

	.section .purgatory.header, "a"
	.balign	8
	.globl	purgatory_image_header
	.hidden	purgatory_image_header
	.type	purgatory_image_header, %object
purgatory_image_header:
	.ascii	PURGATORY_IMAGE_MAGIC
	.byte	IMAGE_BYTE_ORDER
	.byte	0
	.2byte	PURGATORY_ARCH_ELF_MACHINE
	.2byte	PURGATORY_ABI_MAJOR
	.2byte	PURGATORY_ABI_MINOR
	.4byte	PURGATORY_HEADER_SIZE
	.4byte	IMAGE_FEATURES
	.8byte	__purgatory_file_size
	.8byte	__purgatory_memory_size
	.8byte	__purgatory_load_alignment
	.8byte	__purgatory_entry_offset
	.8byte	__purgatory_info_offset
	.8byte	PURGATORY_INFO_SIZE
	.fill	7, 8, 0
	.size	purgatory_image_header, . - purgatory_image_header
