/* SPDX-License-Identifier: MIT */
// Why a purgatory link came out with run-time relocations: the places in its object files (and the
// archive members it linked) that store an address, which a position-independent image can only hold
// if someone fixes it up at load time. The SDK's link step runs this when either relocation gate fails,
// so the error names the symbol and the object, not only the output section.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <purgatory/host/result.h>

namespace purgatory::host {

struct StoredAddress {
  std::string section;       // where the address is stored, e.g. ".data.rel.ro._ZL5table"
  std::uint64_t offset = 0;  // inside that section
  std::string holder;        // the symbol the address is stored in, "table+0x8", when the object says
  // The symbol whose address it is: a section's own symbol is replaced by the function or object defined
  // at that offset ("stop" rather than "`.text`+0x40"); "`.rodata.str1.1`+0x10" when there is none.
  std::string target;
  std::string type;          // the relocation, e.g. "R_X86_64_64"
  // False: an absolute address in data or code, which always needs a run-time relocation. True: an
  // entry in the GOT or the ppc64 TOC, which the linker usually turns into a PC-relative access, so it
  // is only a suspect.
  bool through_table = false;
};

// Every relocation in the allocated sections of a relocatable ELF object (ET_REL, of any of the SDK's
// machines and either byte order) that stores an address. An Error for anything that is not such an
// object, or is malformed; never a crash.
Result<std::vector<StoredAddress>> stored_addresses(std::span<const std::byte> object);

// True if the bytes start with an ar archive magic ("!<arch>\n", or "!<thin>\n" for a thin one).
bool has_archive_magic(std::span<const std::byte> bytes);

struct ArchiveMember {
  std::string name;
  std::span<const std::byte> bytes;  // inside the archive's bytes
};

// The members of an ar archive (System V/GNU format, as ar and llvm-ar write for static libraries), its
// symbol tables and long-name table left out. Thin archives are refused: their members live elsewhere.
Result<std::vector<ArchiveMember>> archive_members(std::span<const std::byte> archive);

}  // namespace purgatory::host
