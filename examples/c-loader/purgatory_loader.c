/* SPDX-License-Identifier: MIT */
/*
 * A reference purgatory loader in C99, using only <purgatory/abi.h>: what a kernel-style (kexec_file)
 * or kexec-tools-style loader needs to do with an SDK purgatory. No ELF parsing and no relocation:
 * check the header, copy, fill in one struct, and jump to load address + entry offset.
 */
#include "purgatory_loader.h"

#include <string.h>

static int host_is_big_endian(void) {
  const uint16_t probe = 1;
  return *(const uint8_t*)&probe == 0;
}

static const char* check_header(const struct purgatory_image_header* header, size_t image_size,
                                size_t destination_size, uint64_t load_address, uint16_t machine) {
  const uint8_t host_order = host_is_big_endian() ? PURGATORY_BYTE_ORDER_BIG : PURGATORY_BYTE_ORDER_LITTLE;
  if (image_size < PURGATORY_HEADER_SIZE || memcmp(header->magic, PURGATORY_IMAGE_MAGIC, 8) != 0)
    return "not a purgatory image";
  if (header->byte_order != host_order) return "image is in the other byte order";
  if (header->abi_major != PURGATORY_ABI_MAJOR) return "unsupported ABI major version";
  if (header->elf_machine != machine) return "image is for another machine";
  if (header->header_size < PURGATORY_HEADER_SIZE || header->header_size > image_size || header->file_size != image_size)
    return "header sizes do not match the image";
  if ((header->features & PURGATORY_FEATURE_VERIFY_SHA256) == 0) return "image does not check digests";
  if (header->memory_size < header->file_size || header->memory_size > destination_size)
    return "destination smaller than the image's memory size";
  if (header->load_alignment == 0 || (header->load_alignment & (header->load_alignment - 1)) != 0 ||
      load_address % header->load_alignment != 0)
    return "load address not aligned as the image requires";
  if (load_address > UINT64_MAX - header->memory_size) return "image would run past the end of the address space";
  /* Past the header, inside the file, aligned: the purgatory cannot check the address it is entered at. */
  if (header->entry_offset < header->header_size || header->entry_offset >= header->file_size ||
      header->entry_offset % 4 != 0)
    return "entry outside the image or misaligned";
  if (header->info_offset % 8 != 0 || header->info_offset < header->header_size ||
      header->info_size < PURGATORY_INFO_SIZE_1_0 || header->info_offset > header->file_size ||
      header->info_size > header->file_size - header->info_offset)
    return "purgatory_info outside the image";
  if (header->entry_offset >= header->info_offset && header->entry_offset - header->info_offset < header->info_size)
    return "entry inside purgatory_info";
  return NULL;
}

uint64_t purgatory_load(const void* image, size_t image_size, void* destination, size_t destination_size,
                        const struct purgatory_load_request* request, const char** error) {
  struct purgatory_image_header header;
  struct purgatory_info* info;
  uint8_t* bytes = (uint8_t*)destination;
  uint32_t i;

  if (image_size < sizeof(header)) {
    *error = "not a purgatory image";
    return 0;
  }
  memcpy(&header, image, sizeof(header));  /* the image need not be aligned */
  *error = check_header(&header, image_size, destination_size, request->load_address, request->elf_machine);
  if (*error != NULL) return 0;
  if (request->segment_count > PURGATORY_MAX_SEGMENTS) {
    *error = "too many segments";
    return 0;
  }

  memcpy(bytes, image, image_size);
  memset(bytes + image_size, 0, (size_t)(header.memory_size - header.file_size));

  info = (struct purgatory_info*)(bytes + header.info_offset);
  if (memcmp(info->magic, PURGATORY_INFO_MAGIC, 8) != 0 || info->info_size != header.info_size) {
    *error = "purgatory_info damaged";
    return 0;
  }
  info->flags = request->flags;
  info->segment_count = request->segment_count;
  memcpy(info->sha256, request->sha256, sizeof(info->sha256));
  memset(info->segments, 0, sizeof(info->segments));
  for (i = 0; i < request->segment_count; ++i) {
    info->segments[i].start = request->segments[i].start;
    info->segments[i].size = request->segments[i].size;
    memcpy(info->segments[i].sha256, request->segments[i].sha256, sizeof(info->segments[i].sha256));
  }
  info->next = request->next;
  info->console = request->console;
  info->reset = request->reset;
  memcpy(info->user, request->user, sizeof(info->user));
  memset(&info->result, 0, sizeof(info->result));
  /* 1.3: each segment is the loader's own, in its order (for reports); older images have no room. */
  if (header.info_size >= PURGATORY_INFO_SIZE_1_3) {
    memset(info->segment_origin, 0, sizeof(info->segment_origin));
    for (i = 0; i < request->segment_count; ++i) info->segment_origin[i] = (uint8_t)(i + 1);
  }
  /* 1.4: no copies (this loader makes no kdump backups); zero as shipped, written to be sure. */
  if (header.info_size >= PURGATORY_INFO_SIZE) memset(info->copies, 0, sizeof(info->copies));
  info->sealed = PURGATORY_INFO_SEALED;  /* last: the block is complete */
  return request->load_address + header.entry_offset;
}
