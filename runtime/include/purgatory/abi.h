/* SPDX-License-Identifier: MIT */
/*
 * The purgatory ABI: everything a loader and a purgatory image agree on, in one C header.
 *
 * Used unchanged by the purgatory itself (C++), the SDK's host library (C++) and loaders written in C
 * (C99 or later: kernel-style and kexec-tools-style code). docs/abi.md describes every field per arch.
 *
 *   image file:  [ purgatory_image_header at offset 0 ] ... [ purgatory_info at info_offset ] ...
 *
 * A loader reads the header (no ELF parsing), copies file_size bytes to an address aligned to
 * load_alignment with memory_size bytes reserved there, fills in purgatory_info at load address +
 * info_offset, and jumps to load address + entry_offset (or, on Linux, passes that as the kexec entry).
 *
 * Byte order: every multi-byte field is in the *image's* byte order (the target's), never the loader's.
 * The single byte `byte_order` at offset 8 says which, so a loader on a host of the other byte order
 * detects it before reading anything else.
 *
 * Versioning: `abi_major` changes only for incompatible changes; a loader must refuse an image whose
 * major version it does not know. `abi_minor` grows when fields are added or a field gains a value an
 * older reader cannot name (1.5: digest engine 5), and fields are added only in
 * reserved words (of any structure) or after the last field of purgatory_info, whose size the header
 * gives; existing fields never move or change meaning, and a zero in a new field means
 * "behave as the previous minor version did". So a loader may fill any image of its major version: it
 * writes the fields it knows and leaves the rest as the image has them (zero).
 *
 * Layout: fixed-width fields, explicit padding, 8-byte alignment for every 64-bit field; the checks at
 * the end of this file pin every offset on every compiler and arch that includes it.
 */
#ifndef PURGATORY_ABI_H
#define PURGATORY_ABI_H

/* Bit n of a flags word; without the C suffix where the assembler reads this header. */
#ifdef __ASSEMBLER__
#define PURGATORY_BIT(n) (1 << (n))
#else
#define PURGATORY_BIT(n) (1u << (n))
#endif

#define PURGATORY_ABI_MAJOR 1
#define PURGATORY_ABI_MINOR 5 /* 1: hardware digest engines (flag, feature, result.digest_engine/flags);
                                 2: verification of each segment by its own digest, two segments at once;
                                 3: rules a sealed block must obey (docs/abi.md section 5), status FAULT,
                                    segment_origin;
                                 4: copies after verification (kdump backups);
                                 5: digest engine 5, x86 without SHA-NI (SSSE3 and BMI2) */

/* Image header magic: the 8 bytes "PURGATRY" at offset 0. */
#define PURGATORY_IMAGE_MAGIC "PURGATRY"
/* purgatory_info magic: the 8 bytes "PURGINFO" at the start of the info block. */
#define PURGATORY_INFO_MAGIC "PURGINFO"
/* purgatory_info.sealed: written by the loader once every field is filled in. */
#define PURGATORY_INFO_SEALED 0x5ea1ed01u

/* purgatory_image_header.byte_order: the values of ELF's EI_DATA. */
#define PURGATORY_BYTE_ORDER_LITTLE 1
#define PURGATORY_BYTE_ORDER_BIG 2

/* purgatory_image_header.elf_machine: ELF e_machine values. */
#define PURGATORY_MACHINE_PPC64 21
#define PURGATORY_MACHINE_X86_64 62
#define PURGATORY_MACHINE_AARCH64 183

/* purgatory_image_header.features: what this image can do. */
#define PURGATORY_FEATURE_VERIFY_SHA256 PURGATORY_BIT(0)  /* checks segment digests */
#define PURGATORY_FEATURE_MEMORY_LOG PURGATORY_BIT(1)     /* writes result.log */
#define PURGATORY_FEATURE_RESET PURGATORY_BIT(2)          /* honours PURGATORY_FLAG_RESET_ON_FAILURE */
#define PURGATORY_FEATURE_HARDWARE_DIGEST PURGATORY_BIT(3) /* hashes with the CPU's SHA-256 instructions if it has them (1.1) */
#define PURGATORY_FEATURE_VERIFY_EACH_SEGMENT PURGATORY_BIT(4) /* honours PURGATORY_FLAG_VERIFY_EACH_SEGMENT (1.2) */
#define PURGATORY_FEATURE_COPY_AFTER_VERIFY PURGATORY_BIT(5) /* carries out purgatory_info.copies (1.4) */
#define PURGATORY_FEATURE_CONSOLE_8250_PIO PURGATORY_BIT(8)
#define PURGATORY_FEATURE_CONSOLE_8250_MMIO PURGATORY_BIT(9)
#define PURGATORY_FEATURE_CONSOLE_PL011 PURGATORY_BIT(10)
#define PURGATORY_FEATURE_CONSOLE_HVC PURGATORY_BIT(11)

#define PURGATORY_HEADER_SIZE 128
#define PURGATORY_MAX_SEGMENTS 16
#define PURGATORY_SHA256_SIZE 32
#define PURGATORY_LOG_SIZE 1024
#define PURGATORY_PPC64_LOW_MEMORY_SIZE 256
#define PURGATORY_MAX_COPIES 2
#define PURGATORY_INFO_SIZE 2440 /* sizeof(struct purgatory_info), for assembler and preprocessor */
#define PURGATORY_INFO_SIZE_1_0 2376 /* the smallest purgatory_info of this major version (1.0 to 1.2) */
#define PURGATORY_INFO_SIZE_1_3 2392 /* 1.3: segment_origin added */

/* purgatory_info.flags, set by the loader. */
#define PURGATORY_FLAG_SKIP_VERIFICATION PURGATORY_BIT(0) /* jump without checking digests */
#define PURGATORY_FLAG_RESET_ON_FAILURE PURGATORY_BIT(1)  /* on a mismatch, reset instead of halting */
#define PURGATORY_FLAG_QUIET PURGATORY_BIT(2)             /* no console output (the memory log is still written) */
#define PURGATORY_FLAG_NO_HARDWARE_DIGEST PURGATORY_BIT(3) /* hash with the portable code only (1.1) */
#define PURGATORY_FLAG_VERIFY_EACH_SEGMENT PURGATORY_BIT(4) /* check each segment by its own digest, not the
                                                          all-segments one: two can be hashed at once (1.2) */

/* purgatory_console.kind */
#define PURGATORY_CONSOLE_NONE 0
#define PURGATORY_CONSOLE_8250_PIO 1  /* x86_64: 16550-compatible UART in I/O port space */
#define PURGATORY_CONSOLE_8250_MMIO 2 /* 16550-compatible UART, memory-mapped */
#define PURGATORY_CONSOLE_PL011 3     /* Arm PrimeCell UART, memory-mapped */
#define PURGATORY_CONSOLE_HVC 4       /* ppc64 pseries: hypervisor console, H_PUT_TERM_CHAR */

/* purgatory_reset.method */
#define PURGATORY_RESET_DEFAULT 0   /* the arch's standard means, see docs/abi.md */
#define PURGATORY_RESET_PSCI_HVC 1  /* arm64: PSCI SYSTEM_RESET through hvc #0 */
#define PURGATORY_RESET_PSCI_SMC 2  /* arm64: PSCI SYSTEM_RESET through smc #0 */
#define PURGATORY_RESET_RTAS_HCALL 3 /* ppc64 pseries under QEMU/KVM: RTAS system-reboot via H_RTAS */

/* purgatory_result.status, written by the purgatory. */
#define PURGATORY_STATUS_NOT_RUN 0    /* as sealed: the purgatory has not started */
#define PURGATORY_STATUS_RUNNING 1    /* started, verdict not reached */
#define PURGATORY_STATUS_VERIFIED 2   /* every digest matched; jumping to the next kernel */
#define PURGATORY_STATUS_UNVERIFIED 3 /* PURGATORY_FLAG_SKIP_VERIFICATION; jumping without checking */
#define PURGATORY_STATUS_MISMATCH 4   /* a digest did not match; not jumping */
#define PURGATORY_STATUS_BAD_INFO 5   /* purgatory_info not sealed or invalid; not jumping */
#define PURGATORY_STATUS_FAULT 6      /* an exception stopped the purgatory (1.3); not jumping */

#define PURGATORY_NO_SEGMENT 0xffffffffu

/* purgatory_info.segment_origin (1.3): which of the loader's own segments segments[i] is (part of). */
#define PURGATORY_ORIGIN_UNSAID 0          /* not said (a loader older than 1.3): its own index, i */
#define PURGATORY_ORIGIN_PPC64_LOW_MEMORY 0xff /* ppc64 low memory, [0, 0x100): not a loaded segment */
/* any other value n: the loader's segment n - 1 (a loader may describe one as several, for two lanes) */

/* purgatory_result.digest_engine (1.1): what hashed the segments. */
#define PURGATORY_DIGEST_ENGINE_NONE 0        /* nothing was hashed (or an image older than 1.1) */
#define PURGATORY_DIGEST_ENGINE_PORTABLE 1    /* the portable C++ code */
#define PURGATORY_DIGEST_ENGINE_X86_SHA_NI 2  /* x86 SHA extensions */
#define PURGATORY_DIGEST_ENGINE_ARM64_SHA2 3  /* Armv8 SHA-256 instructions */
#define PURGATORY_DIGEST_ENGINE_PPC64_VECTOR 4 /* POWER8 vector crypto (vshasigmaw) */
#define PURGATORY_DIGEST_ENGINE_X86_SSSE3 5   /* x86 without SHA-NI: SSSE3 schedule, BMI2 rounds (1.5) */

/* purgatory_result.digest_flags (1.1): how the engine ran. */
#define PURGATORY_DIGEST_CACHES_ON PURGATORY_BIT(0) /* with the MMU and data cache on (arm64) */
#define PURGATORY_DIGEST_TWO_LANES PURGATORY_BIT(1) /* two segments hashed side by side (1.2) */

/* purgatory_ppc64_state.flags */
#define PURGATORY_PPC64_SET_FDT_BOOT_CPU PURGATORY_BIT(0) /* write the booting CPU's id into the FDT header */
#define PURGATORY_PPC64_RESTORE_LOW_MEMORY PURGATORY_BIT(1) /* restore phys 0..0xff from low_memory first;
                                                            1.3: a verified segment must cover them */

#ifndef __ASSEMBLER__

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* At offset 0 of the image. 128 bytes. */
struct purgatory_image_header {
  uint8_t magic[8];        /* PURGATORY_IMAGE_MAGIC, no terminating NUL */
  uint8_t byte_order;      /* PURGATORY_BYTE_ORDER_*: the order of every field below */
  uint8_t reserved0;       /* zero */
  uint16_t elf_machine;    /* PURGATORY_MACHINE_* */
  uint16_t abi_major;      /* PURGATORY_ABI_MAJOR the image was built with */
  uint16_t abi_minor;      /* PURGATORY_ABI_MINOR the image was built with */
  uint32_t header_size;    /* bytes of this header in the image (PURGATORY_HEADER_SIZE) */
  uint32_t features;       /* PURGATORY_FEATURE_* */
  uint64_t file_size;      /* bytes to copy: the whole image file */
  uint64_t memory_size;    /* bytes to reserve at the load address: file, .bss and stack */
  uint64_t load_alignment; /* the load address must be a multiple of this (a power of two) */
  uint64_t entry_offset;   /* where to jump, from the load address */
  uint64_t info_offset;    /* where purgatory_info is, from the load address */
  uint64_t info_size;      /* sizeof(struct purgatory_info) as the image was built */
  uint64_t reserved[7];    /* zero; later minor versions may use these */
};

/* A loaded segment, hashed as the kernel's kexec_file does: `size` bytes from `start`. 48 bytes. */
struct purgatory_segment {
  uint64_t start;  /* physical address */
  uint64_t size;   /* bytes covered by the digest (kexec: the segment's memsz, zero-filled tail) */
  uint8_t sha256[PURGATORY_SHA256_SIZE]; /* of this segment alone, to name the one that fails */
};

/* x86_64: the registers the next kernel receives, as the 64-bit boot protocol wants them
 * (rsi = boot_params for Linux). rsp = 0 keeps the purgatory's own stack. 136 bytes. */
struct purgatory_x86_64_state {
  uint64_t rip;
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* arm64: entry and x0..x3 (Linux: x0 = device tree, x1..x3 = 0). 40 bytes. */
struct purgatory_arm64_state {
  uint64_t entry;
  uint64_t x[4];
};

/* ppc64: the kernel entry protocol r3 = device tree, r4 = kernel base, r5 = 0, plus what the
 * secondary CPUs need. 320 bytes. */
struct purgatory_ppc64_state {
  uint64_t entry;           /* entered big-endian, as firmware and kexec-tools do */
  uint64_t r3;              /* device tree (physical) */
  uint64_t r4;              /* kernel base (physical) */
  uint64_t r5;              /* 0 for Linux */
  uint64_t r8;              /* powernv: OPAL base, for the kernel's early debug; else 0 */
  uint64_t r9;              /* powernv: OPAL entry; else 0 */
  uint64_t secondary_entry; /* where held secondary CPUs are released to, r3 = their id (Linux:
                               kernel base + 0x60); 0 keeps them held */
  uint32_t flags;           /* PURGATORY_PPC64_* */
  uint32_t reserved;
  uint8_t low_memory[PURGATORY_PPC64_LOW_MEMORY_SIZE]; /* phys 0..0xff as loaded, see docs/abi.md */
};

/* A copy the purgatory makes once the segments are verified, just before the jump: `size` bytes from
 * physical `source` to physical `destination`. kdump's backups: memory the crash kernel will overwrite
 * (ppc64: the first 64 KiB) saved into a segment the ELF core header points at. size 0: no copy.
 * 24 bytes. */
struct purgatory_copy {
  uint64_t source;
  uint64_t destination; /* inside a verified segment that holds nothing the purgatory jumps to or reads */
  uint64_t size;
};

/* The next kernel's entry state; the member of the image's arch is used. 384 bytes. */
union purgatory_next_kernel {
  struct purgatory_x86_64_state x86_64;
  struct purgatory_arm64_state arm64;
  struct purgatory_ppc64_state ppc64;
  uint64_t words[48];
};

/* Where the purgatory prints. 32 bytes. */
struct purgatory_console {
  uint32_t kind;          /* PURGATORY_CONSOLE_* */
  uint8_t register_shift; /* 8250 MMIO: register n is at base + (n << register_shift) */
  uint8_t access_width;   /* 8250 MMIO: 4 for 32-bit register accesses; any other value means 8-bit */
  uint16_t reserved0;
  uint64_t base;          /* I/O port (8250 PIO), physical address (MMIO), terminal number (HVC) */
  uint32_t divisor;       /* 8250: divisor latch value (16 bits) to program with 8N1; 0 keeps the firmware's */
  uint32_t reserved1;
  uint64_t reserved2;
};

/* How to reset when PURGATORY_FLAG_RESET_ON_FAILURE is set. 24 bytes. */
struct purgatory_reset {
  uint32_t method;   /* PURGATORY_RESET_* */
  uint32_t token;    /* RTAS: the system-reboot token (QEMU's is 0x2004) */
  uint64_t reserved[2];
};

/* Written by the purgatory; the loader leaves it zero. 1080 bytes. */
struct purgatory_result {
  uint32_t status;         /* PURGATORY_STATUS_* */
  uint32_t failed_segment; /* index of the first mismatching segment, or PURGATORY_NO_SEGMENT */
  uint8_t computed_sha256[PURGATORY_SHA256_SIZE]; /* of that segment (or of all, if none alone failed) */
  uint64_t bytes_verified; /* bytes hashed */
  uint32_t log_length;     /* bytes ever written to the log; the ring keeps the last PURGATORY_LOG_SIZE */
  uint16_t digest_engine;  /* PURGATORY_DIGEST_ENGINE_* (1.1; reserved, zero, in 1.0) */
  uint16_t digest_flags;   /* PURGATORY_DIGEST_* (1.1; reserved, zero, in 1.0) */
  char log[PURGATORY_LOG_SIZE]; /* console output, a ring: byte n is at log[n % PURGATORY_LOG_SIZE] */
};

/* The one structure a loader fills in. 2440 bytes (2376 before 1.3, 2392 in 1.3). */
struct purgatory_info {
  uint8_t magic[8];       /* PURGATORY_INFO_MAGIC, set in the image */
  uint32_t info_size;     /* sizeof(struct purgatory_info), set in the image */
  uint32_t sealed;        /* the loader writes PURGATORY_INFO_SEALED when done */
  uint32_t flags;         /* PURGATORY_FLAG_* */
  uint32_t segment_count; /* 0..PURGATORY_MAX_SEGMENTS */
  uint8_t sha256[PURGATORY_SHA256_SIZE]; /* over segments[0..segment_count) in order (kexec_file's rule) */
  struct purgatory_segment segments[PURGATORY_MAX_SEGMENTS];
  union purgatory_next_kernel next;
  struct purgatory_console console;
  struct purgatory_reset reset;
  uint64_t user[4];       /* free for custom purgatories: parameters their loader passes */
  struct purgatory_result result;
  uint8_t segment_origin[PURGATORY_MAX_SEGMENTS]; /* 1.3, loader: PURGATORY_ORIGIN_*, for reports */
  struct purgatory_copy copies[PURGATORY_MAX_COPIES]; /* 1.4, loader: made after verification, in order */
};

#ifdef __cplusplus
} /* extern "C" */
#endif

/* Layout checks: the same offsets for every compiler and arch that includes this header. */
#ifdef __cplusplus
#define PURGATORY_ABI_CHECK(condition) static_assert(condition, #condition)
#include <cstddef>
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define PURGATORY_ABI_CHECK(condition) _Static_assert(condition, #condition)
#include <stddef.h>
#else
/* C99: a negative array size stops the compile just as well. */
#define PURGATORY_ABI_CHECK_NAME(line) purgatory_abi_check_##line
#define PURGATORY_ABI_CHECK_AT(condition, line) typedef char PURGATORY_ABI_CHECK_NAME(line)[(condition) ? 1 : -1]
#define PURGATORY_ABI_CHECK(condition) PURGATORY_ABI_CHECK_AT(condition, __LINE__)
#include <stddef.h>
#endif

PURGATORY_ABI_CHECK(sizeof(struct purgatory_image_header) == PURGATORY_HEADER_SIZE);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, byte_order) == 8);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, elf_machine) == 10);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, abi_major) == 12);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, abi_minor) == 14);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, header_size) == 16);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, features) == 20);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, file_size) == 24);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, memory_size) == 32);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, load_alignment) == 40);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, entry_offset) == 48);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, info_offset) == 56);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, info_size) == 64);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_image_header, reserved) == 72);

PURGATORY_ABI_CHECK(sizeof(struct purgatory_segment) == 48);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_segment, sha256) == 16);

PURGATORY_ABI_CHECK(sizeof(struct purgatory_x86_64_state) == 136);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_x86_64_state, rsi) == 40);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_x86_64_state, rsp) == 64);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_x86_64_state, r15) == 128);
PURGATORY_ABI_CHECK(sizeof(struct purgatory_arm64_state) == 40);
PURGATORY_ABI_CHECK(sizeof(struct purgatory_ppc64_state) == 320);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_ppc64_state, secondary_entry) == 48);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_ppc64_state, flags) == 56);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_ppc64_state, low_memory) == 64);
PURGATORY_ABI_CHECK(sizeof(union purgatory_next_kernel) == 384);

PURGATORY_ABI_CHECK(sizeof(struct purgatory_console) == 32);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_console, register_shift) == 4);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_console, base) == 8);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_console, divisor) == 16);
PURGATORY_ABI_CHECK(sizeof(struct purgatory_reset) == 24);

PURGATORY_ABI_CHECK(sizeof(struct purgatory_result) == 56 + PURGATORY_LOG_SIZE);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_result, computed_sha256) == 8);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_result, bytes_verified) == 40);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_result, log_length) == 48);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_result, digest_engine) == 52);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_result, digest_flags) == 54);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_result, log) == 56);

PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, info_size) == 8);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, sealed) == 12);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, flags) == 16);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, segment_count) == 20);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, sha256) == 24);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, segments) == 56);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, next) == 824);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, console) == 1208);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, reset) == 1240);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, user) == 1264);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, result) == 1296);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, segment_origin) == PURGATORY_INFO_SIZE_1_0);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_info, copies) == PURGATORY_INFO_SIZE_1_3);
PURGATORY_ABI_CHECK(sizeof(struct purgatory_copy) == 24);
PURGATORY_ABI_CHECK(offsetof(struct purgatory_copy, size) == 16);
PURGATORY_ABI_CHECK(sizeof(struct purgatory_info) == PURGATORY_INFO_SIZE);

#undef PURGATORY_ABI_CHECK

#endif /* __ASSEMBLER__ */
#endif /* PURGATORY_ABI_H */
