/* SPDX-License-Identifier: MIT */
/* A plain C99 loader built against the installed SDK only: its ABI header and its copy of the reference
 * C loader (share/purgatory-sdk/c-loader). It loads the installed x86_64 purgatory into a buffer for one
 * segment and prints the entry address; an arm64 request for the same image must be refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purgatory_loader.h"

int main(int argc, char** argv) {
  static unsigned char image[1 << 20], memory[1 << 20];
  struct purgatory_load_segment segment;
  struct purgatory_load_request request;
  const char* error = NULL;
  size_t size;
  uint64_t entry;
  FILE* file;

  if (argc != 2 || (file = fopen(argv[1], "rb")) == NULL) return 2;
  size = fread(image, 1, sizeof image, file);
  fclose(file);

  memset(&segment, 0, sizeof segment);
  segment.start = 0x2000000;
  segment.size = 4096;
  memset(&request, 0, sizeof request);
  request.elf_machine = PURGATORY_MACHINE_X86_64;
  request.load_address = 0x1000000;
  request.segment_count = 1;
  request.segments = &segment;
  request.next.x86_64.rip = 0x2000000;
  request.user[0] = 42;
  entry = purgatory_load(image, size, memory, sizeof memory, &request, &error);
  if (entry == 0) {
    printf("refused: %s\n", error);
    return 1;
  }
  request.elf_machine = PURGATORY_MACHINE_AARCH64;
  if (purgatory_load(image, size, memory, sizeof memory, &request, &error) != 0) {
    printf("an x86_64 image was loaded for arm64\n");
    return 1;
  }
  printf("c loader: entry %#llx; for arm64: %s\n", (unsigned long long)entry, error);
  return 0;
}
