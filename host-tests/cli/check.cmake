# SPDX-License-Identifier: MIT
# purgatory-tool check: real images pass, bare blobs pass only with --no-header, and anything broken
# fails with exit status 1 (2 for a file that cannot be read) and says why.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

# elf64_le_load_offset(<var> <elf>): the file offset of the first program header's bytes (the PT_LOAD
# of a purgatory), read from the ELF itself: e_phoff at 32, then that header's p_offset at +8.
function(elf64_le_load_offset var elf)
  read_bytes(phoff_hex "${elf}" 32 8)
  decode(phoff "${phoff_hex}" little)
  read_bytes(offset_hex "${elf}" "${phoff} + 8" 8)
  decode(offset "${offset_hex}" little)
  set(${var} ${offset} PARENT_SCOPE)
endfunction()

# The ELF and the flat image of every arch pass.
function(test_images)
  foreach(arch IN LISTS ARCHES)
    purgatory_image(elf ${arch} elf)
    purgatory_image(bin ${arch} bin)
    regex_quote(elf_re "${elf}")
    regex_quote(bin_re "${bin}")
    expect(EXIT 0 COMMAND "${TOOL}" check "${elf}" OUTPUT_MATCHES "^${elf_re}: ok \\(${arch}, relocation-free\\)\n$"
           ERROR_MATCHES "^$")
    expect(EXIT 0 COMMAND "${TOOL}" check "${bin}" OUTPUT_MATCHES "^${bin_re}: ok \\(${arch}\\)\n$" ERROR_MATCHES "^$")
  endforeach()
endfunction()

# A bare blob (the boot tests' next kernel) has no image header: check names the missing magic, unless
# --no-header asks for the ELF rules only.
function(test_bare_blob)
  foreach(arch IN LISTS ARCHES)
    next_kernel_image(elf ${arch} elf)
    next_kernel_image(bin ${arch} bin)
    expect(EXIT 1 COMMAND "${TOOL}" check "${elf}" OUTPUT_MATCHES "^$"
           ERROR_MATCHES "next-kernel\\.elf: not a purgatory image \\(no \"PURGATRY\" magic at offset 0\\)")
    expect(EXIT 0 COMMAND "${TOOL}" check --no-header "${elf}" OUTPUT_MATCHES "next-kernel\\.elf: ok \\(${arch}, relocation-free\\)")
    expect(EXIT 1 COMMAND "${TOOL}" check "${bin}" ERROR_MATCHES "next-kernel\\.bin: not a purgatory image \\(no \"PURGATRY\" magic")
    # Without a header, only an ELF can be checked for anything.
    expect(EXIT 1 COMMAND "${TOOL}" check --no-header "${bin}" ERROR_MATCHES "next-kernel\\.bin: not an ELF file")
  endforeach()
endfunction()

# Files that are not images at all, or cannot be read.
function(test_not_images)
  purgatory_image(bin x86_64 bin)
  purgatory_image(elf x86_64 elf)
  copy_prefix("${bin}" truncated.bin 100)
  copy_prefix("${elf}" truncated.elf 100)
  write_zeros(zeros.bin 4096)
  file(WRITE text.txt "This is a text file, not a purgatory.\n")

  expect(EXIT 1 COMMAND "${TOOL}" check truncated.bin OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^truncated\\.bin: truncated image: 100 bytes, smaller than the 128-byte header\n$")
  expect(EXIT 1 COMMAND "${TOOL}" check truncated.elf ERROR_MATCHES "^truncated\\.elf: ELF file truncated: .* is cut off")
  expect(EXIT 1 COMMAND "${TOOL}" check zeros.bin ERROR_MATCHES "^zeros\\.bin: not a purgatory image \\(no \"PURGATRY\" magic")
  expect(EXIT 1 COMMAND "${TOOL}" check text.txt ERROR_MATCHES "^text\\.txt: not a purgatory image \\(no \"PURGATRY\" magic")
  expect(EXIT 2 COMMAND "${TOOL}" check no-such-file.bin OUTPUT_MATCHES "^$"
         ERROR_MATCHES "no-such-file\\.bin.*cannot open: No such file or directory")
  expect(EXIT 2 COMMAND "${TOOL}" check "${WORK_DIR}" ERROR_MATCHES "is a directory")
endfunction()

# One byte of a real image changed: the header checks name the field.
function(test_corrupt_header)
  purgatory_image(x86_bin x86_64 bin)
  purgatory_image(x86_elf x86_64 elf)
  purgatory_image(ppc_bin ppc64 bin)

  # abi_major (offset 12, 2 bytes in the image's byte order) = 2.
  copy_patched("${x86_bin}" abi2-le.bin 12 02)
  expect(EXIT 1 COMMAND "${TOOL}" check abi2-le.bin
         ERROR_MATCHES "^abi2-le\\.bin: ABI version 2\\.${ABI_MINOR} is not supported \\(this tool reads major version 1\\)\n$")
  copy_patched("${ppc_bin}" abi2-be.bin 13 02)
  expect(EXIT 1 COMMAND "${TOOL}" check abi2-be.bin ERROR_MATCHES "ABI version 2\\.${ABI_MINOR} is not supported")
  # The same byte inside an ELF, in its PT_LOAD's bytes.
  elf64_le_load_offset(load "${x86_elf}")
  copy_patched("${x86_elf}" abi2.elf "${load} + 12" 02)
  expect(EXIT 1 COMMAND "${TOOL}" check abi2.elf ERROR_MATCHES "abi2\\.elf: ABI version 2\\.${ABI_MINOR} is not supported")

  # byte_order (offset 8) = 3.
  copy_patched("${x86_bin}" order3.bin 8 03)
  expect(EXIT 1 COMMAND "${TOOL}" check order3.bin ERROR_MATCHES "unknown byte order 3 in the image header")
  # elf_machine (offset 10) = 0x28 (ARM, 32-bit).
  copy_patched("${x86_bin}" machine.bin 10 28)
  expect(EXIT 1 COMMAND "${TOOL}" check machine.bin ERROR_MATCHES "unknown arch: ELF machine 40")
  # load_alignment (offset 40) = 0x11.
  copy_patched("${x86_bin}" align.bin 40 11)
  expect(EXIT 1 COMMAND "${TOOL}" check align.bin ERROR_MATCHES "load alignment 0x11 is not a power of two")
  # The first byte of the "PURGINFO" magic, at the header's info_offset (offset 56, 8 bytes).
  read_bytes(info_offset "${x86_bin}" 56 8)
  decode(info_offset "${info_offset}" little)
  math(EXPR info_offset "${info_offset}" OUTPUT_FORMAT HEXADECIMAL)
  copy_patched("${x86_bin}" info-magic.bin "${info_offset}" 58)
  expect(EXIT 1 COMMAND "${TOOL}" check info-magic.bin ERROR_MATCHES "no \"PURGINFO\" magic at the info offset ${info_offset}")
  # One byte less than the header's file_size says.
  file(SIZE "${x86_bin}" size)
  math(EXPR short "${size} - 1")
  copy_prefix("${x86_bin}" short.bin ${short})
  expect(EXIT 1 COMMAND "${TOOL}" check short.bin
         ERROR_MATCHES "the header says the image is ${size} bytes, but the file has ${short}")
endfunction()

# One byte of an ELF header's e_phnum (offset 56, 2 bytes, little-endian for x86_64) changed.
function(test_corrupt_elf)
  purgatory_image(elf x86_64 elf)
  copy_patched("${elf}" phnum-0.elf 56 00)
  expect(EXIT 1 COMMAND "${TOOL}" check phnum-0.elf OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^phnum-0\\.elf: has 0 PT_LOAD segments. a purgatory image is exactly one\n$")
  copy_patched("${elf}" phnum-4097.elf 57 10)
  expect(EXIT 1 COMMAND "${TOOL}" check phnum-4097.elf
         ERROR_MATCHES "^phnum-4097\\.elf: ELF file truncated: the program header table \\(4097 entries at offset 0x40\\) is cut off\n$")
  # e_type (offset 16) = ET_EXEC.
  copy_patched("${elf}" exec.elf 16 02)
  expect(EXIT 1 COMMAND "${TOOL}" check exec.elf ERROR_MATCHES "ELF type is 2, not ET_DYN")
endfunction()

# Several files: each is reported, and the status is the worst of them.
function(test_several_files)
  purgatory_image(good x86_64 elf)
  purgatory_image(also_good arm64 bin)
  regex_quote(good_re "${good}")
  regex_quote(also_good_re "${also_good}")
  write_zeros(bad.bin 256)
  expect(EXIT 1 COMMAND "${TOOL}" check "${good}" bad.bin "${also_good}"
         OUTPUT_MATCHES "^${good_re}: ok \\(x86_64, relocation-free\\)\n${also_good_re}: ok \\(arm64\\)\n$"
         ERROR_MATCHES "^bad\\.bin: not a purgatory image")
  # An unreadable file outranks an invalid one.
  expect(EXIT 2 COMMAND "${TOOL}" check bad.bin missing.bin "${good}"
         OUTPUT_MATCHES "^${good_re}: ok \\(x86_64, relocation-free\\)\n$"
         ERROR_MATCHES "bad\\.bin: not a purgatory image" "missing\\.bin.*cannot open")
endfunction()

# An x86_64 ELF (e_machine 62) whose embedded image header claims arm64 (elf_machine 183) is not a
# valid purgatory: the two descriptions of the same file disagree, and a loader trusting the header
# would run x86_64 code on arm64. check must refuse it.
function(test_elf_header_machine_mismatch)
  purgatory_image(elf x86_64 elf)
  elf64_le_load_offset(load "${elf}")
  copy_patched("${elf}" mismatch.elf "${load} + 10" b700)
  expect(EXIT 1 COMMAND "${TOOL}" check mismatch.elf OUTPUT_MATCHES "^$" ERROR_MATCHES "x86_64" "arm64")
endfunction()

# One validation for every command: what check refuses, seal, digest and embed refuse with the same
# words; and check compares an ELF with the image header it holds (entry, memory size) and requires the
# digest check (VERIFY_SHA256) an image exists for.
function(test_one_validation)
  purgatory_image(elf x86_64 elf)
  purgatory_image(bin x86_64 bin)
  elf64_le_load_offset(load "${elf}")
  file(WRITE kernel.bin "kernel")
  # e_entry (offset 24) one instruction on: the ELF and its header no longer agree.
  copy_patched("${elf}" entry.elf 24 84)
  # The PT_LOAD's p_memsz (program header at 64, +40), lower byte changed.
  copy_patched("${elf}" memsz.elf "64 + 40" 08)
  # e_type (offset 16) = ET_EXEC.
  copy_patched("${elf}" exec.elf 16 02)
  # The PT_LOAD's p_vaddr (+16) 0x1000: not linked at 0.
  copy_patched("${elf}" vaddr.elf "64 + 16" 0010000000000000)
  # The PT_LOAD's p_memsz (+40) 1, below its p_filesz.
  copy_patched("${elf}" memsz-below-filesz.elf "64 + 40" 0100000000000000)
  # features (offset 20) without VERIFY_SHA256 (bit 0), in the flat image and in the ELF's PT_LOAD.
  read_bytes(features "${bin}" 20 1)
  math(EXPR features "0x${features} & 0xfe" OUTPUT_FORMAT HEXADECIMAL)
  string(SUBSTRING "${features}" 2 -1 features)
  string(LENGTH "${features}" length)
  if(length EQUAL 1)
    set(features "0${features}")
  endif()
  copy_patched("${bin}" no-verify.bin 20 ${features})
  copy_patched("${elf}" no-verify.elf "${load} + 20" ${features})
  set(cases "entry.elf|the ELF's entry 0x84 differs from the image header's entry offset 0x80"
            "memsz.elf|the PT_LOAD's memory size 0x[0-9a-f]+ differs from the image header's"
            "exec.elf|ELF type is 2, not ET_DYN"
            "vaddr.elf|PT_LOAD starts at 0x1000. the image must be linked at 0"
            "memsz-below-filesz.elf|PT_LOAD memory size 0x1 is smaller than its file size 0x[0-9a-f]+"
            "no-verify.bin|the image does not check digests \\(features 0x[0-9a-f]+ lack VERIFY_SHA256\\)"
            "no-verify.elf|the image does not check digests")
  foreach(case IN LISTS cases)
    string(REPLACE "|" ";" case "${case}")
    list(GET case 0 file)
    list(GET case 1 message)
    expect(EXIT 1 COMMAND "${TOOL}" check ${file} OUTPUT_MATCHES "^$" ERROR_MATCHES "^${file}: ${message}")
    expect(EXIT 1 COMMAND "${TOOL}" digest ${file} OUTPUT_MATCHES "^$" ERROR_MATCHES "^purgatory-tool: ${file}: ${message}")
    expect(EXIT 1 COMMAND "${TOOL}" embed ${file} --name n -o n.h OUTPUT_MATCHES "^$" ERROR_MATCHES "${message}")
    expect(EXIT 1 COMMAND "${TOOL}" seal ${file} --load-address 0x1234000 --segment 0x3000000:kernel.bin
                          --entry 0x3000000 -o sealed.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "${message}")
    expect(EXIT 1 COMMAND "${TOOL}" inspect ${file} OUTPUT_MATCHES "error: ${message}")
    expect_no_file("${WORK_DIR}/n.h" "${WORK_DIR}/sealed.bin")
  endforeach()

  # A byte order byte that lies (big-endian, fields little-endian) is said to, rather than read as
  # ABI version 256.768.
  copy_patched("${bin}" lying.bin 8 02)
  expect(EXIT 1 COMMAND "${TOOL}" check lying.bin
         ERROR_MATCHES "^lying\\.bin: the header says its fields are big-endian \\(byte order byte 2\\), but they read as little-endian: the byte order byte is wrong\n$")
endfunction()

# check --json: one object per file, with its problems.
function(test_json)
  purgatory_image(elf arm64 elf)
  write_zeros(zeros.bin 300)
  expect(EXIT 1 COMMAND "${TOOL}" check --json "${elf}" zeros.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[" ERROR_MATCHES "^$")
  foreach(check IN ITEMS "0;ok;ON" "0;arch;arm64" "0;elf;ON" "0;problems;[]" "1;file;zeros.bin" "1;ok;OFF" "1;arch;null"
                         "1;problems;0;not a purgatory image (no \"PURGATRY\" magic at offset 0)")
    list(GET check 0 index)
    list(GET check 1 member)
    list(SUBLIST check 2 -1 rest)
    list(LENGTH rest length)
    if(length EQUAL 2)
      list(GET rest 0 item)
      list(GET rest 1 wanted)
      json_get(value "${json}" ${index} ${member} ${item})
    else()
      list(GET rest 0 wanted)
      json_get(value "${json}" ${index} ${member})
    endif()
    expect_equal("${value}" "${wanted}" "check --json [${index}].${member}")
  endforeach()
endfunction()

# A block sealed by some loader is checked by the purgatory's own rules: check fails what the purgatory
# would refuse, and inspect says why (as far as it can tell without the load address).
function(test_sealed_blocks)
  purgatory_image(bin x86_64 bin)
  file(WRITE kernel.bin "kernel")
  expect(EXIT 0 COMMAND "${TOOL}" seal "${bin}" --load-address 0x1234000 --segment 0x3000000:kernel.bin
                        --entry 0x3000000 -o sealed.bin OUTPUT_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" check sealed.bin OUTPUT_MATCHES "^sealed\\.bin: ok \\(x86_64\\)\n$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json sealed.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  json_get(problem "${json}" 0 sealed problem)
  expect_equal("${problem}" "null" "sealed.problem of a block seal wrote")
  json_get(info "${json}" 0 image info_offset)
  # segment_count (info + 20) 0xffffffff; the entry (info + 824) moved to 0x5000000, outside the segment.
  copy_patched(sealed.bin many.bin "${info} + 20" ffffffff)
  copy_patched(sealed.bin entry.bin "${info} + 824" 0000000500000000)
  set(cases "many.bin|more segments than PURGATORY_MAX_SEGMENTS \\(16\\)"
            "entry.bin|the next kernel's entry is outside every verified segment")
  foreach(case IN LISTS cases)
    string(REPLACE "|" ";" case "${case}")
    list(GET case 0 file)
    list(GET case 1 message)
    expect(EXIT 1 COMMAND "${TOOL}" check ${file} OUTPUT_MATCHES "^$"
           ERROR_MATCHES "^${file}: sealed, but the purgatory refuses the block: ${message}\n$")
    expect(EXIT 0 COMMAND "${TOOL}" inspect ${file} OUTPUT_MATCHES "\n    the purgatory refuses this block: ${message}\n")
  endforeach()
  # A segment at 0 and one right after it: nothing is taken for the purgatory's memory.
  write_zeros(low.bin 4096)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${bin}" --load-address 0x1234000 --segment 0:low.bin
                        --segment 0x1000:kernel.bin --entry 0x1000 -o at-zero.bin OUTPUT_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" check at-zero.bin OUTPUT_MATCHES "^at-zero\\.bin: ok \\(x86_64\\)\n$")
endfunction()

run_group()
