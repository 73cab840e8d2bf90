/* SPDX-License-Identifier: MIT */
/* A reference purgatory loader in C99 that needs nothing but <purgatory/abi.h>: see purgatory_loader.c. */
#ifndef PURGATORY_LOADER_H
#define PURGATORY_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include <purgatory/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

struct purgatory_load_segment {
  uint64_t start;                        /* physical address */
  uint64_t size;                         /* bytes hashed: the segment's memsz */
  uint8_t sha256[PURGATORY_SHA256_SIZE]; /* of those bytes, computed by the caller */
};

struct purgatory_load_request {
  uint16_t elf_machine;                  /* PURGATORY_MACHINE_* the loader loads for: another image is refused */
  uint64_t load_address;                 /* where `destination` will be in physical memory */
  uint32_t flags;                        /* PURGATORY_FLAG_* */
  uint32_t segment_count;
  const struct purgatory_load_segment* segments;
  uint8_t sha256[PURGATORY_SHA256_SIZE]; /* over all segments in order, computed by the caller */
  union purgatory_next_kernel next;      /* the member of the image's arch */
  struct purgatory_console console;
  struct purgatory_reset reset;
  uint64_t user[4];                      /* purgatory_info.user: parameters for a custom purgatory */
};

/* Copies `image` to `destination` (memory_size bytes, zeroed past the file) and fills in its
 * purgatory_info. Returns the physical address to enter, or 0 with *error set to a description. Refuses
 * an image that is not a purgatory image, is in the other byte order (a cross-endian loader must
 * byte-swap every field it reads and writes, as the SDK's host library does), is for another machine
 * than request->elf_machine, or has a major ABI version other than this header's. The purgatory itself
 * checks the rest (docs/abi.md section 5): a request it refuses, it reports instead of acting on. */
uint64_t purgatory_load(const void* image, size_t image_size, void* destination, size_t destination_size,
                        const struct purgatory_load_request* request, const char** error);

#ifdef __cplusplus
}
#endif

#endif
