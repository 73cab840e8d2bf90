# SPDX-License-Identifier: MIT
# purgatory-tool inspect: text for people, --json for scripts, --brief for tables.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

# Every member name in JSON, at any depth (a register map's names are values, not members).
function(json_member_names var json)
  set(names "")
  set(length 0)
  string(JSON type TYPE "${json}")
  if(type STREQUAL "OBJECT" OR type STREQUAL "ARRAY")
    string(JSON length LENGTH "${json}")
  endif()
  if(length GREATER 0)
    math(EXPR last "${length} - 1")
    foreach(i RANGE ${last})
      set(key ${i})
      if(type STREQUAL "OBJECT")
        string(JSON key MEMBER "${json}" ${i})
        list(APPEND names "${key}")
      endif()
      string(JSON child_type TYPE "${json}" "${key}")
      if((child_type STREQUAL "OBJECT" OR child_type STREQUAL "ARRAY") AND NOT key STREQUAL "registers")
        string(JSON child GET "${json}" "${key}")
        json_member_names(inner "${child}")
        list(APPEND names ${inner})
      endif()
    endforeach()
  endif()
  list(REMOVE_DUPLICATES names)
  set(${var} "${names}" PARENT_SCOPE)
endfunction()

# docs/purgatory-tool.md's inspect table row for SECTION against what inspect --json printed for it
# (JSON: that member of one file's object, from an input that has every member): none missing from the
# output, none left out of the docs.
function(expect_documented_members section json)
  file(READ "${CMAKE_CURRENT_LIST_DIR}/../../docs/purgatory-tool.md" doc)
  if(NOT doc MATCHES "\n\\| `${section}` \\| ([^\n]*) \\|\n")
    message(SEND_ERROR "FAILED: docs/purgatory-tool.md's inspect table has no row for ${section}")
    return()
  endif()
  string(REGEX MATCHALL "`[a-z0-9_]+`" documented "${CMAKE_MATCH_1}")
  string(REPLACE "`" "" documented "${documented}")
  list(REMOVE_ITEM documented null)
  list(REMOVE_DUPLICATES documented)
  json_member_names(printed "${json}")
  foreach(name IN LISTS printed)
    if(NOT name IN_LIST documented)
      message(SEND_ERROR "FAILED: inspect --json prints ${section}.${name}, which docs/purgatory-tool.md does not give")
    endif()
  endforeach()
  foreach(name IN LISTS documented)
    if(NOT name IN_LIST printed)
      message(SEND_ERROR "FAILED: docs/purgatory-tool.md gives ${section}.${name}, which inspect --json did not print")
    endif()
  endforeach()
endfunction()

function(test_text)
  foreach(arch IN LISTS ARCHES)
    purgatory_image(bin ${arch} bin)
    purgatory_image(elf ${arch} elf)
    file(SIZE "${bin}" size)
    byte_order_of(order ${arch})
    regex_quote(bin_re "${bin}")
    set(image_lines
        "  image: ${arch} \\(${order}-endian\\), ABI ${ABI_MAJOR}\\.${ABI_MINOR}\n"
        "    file size ${size}, memory size [0-9]+, load alignment 0x[0-9a-f]+\n"
        "    entry offset 0x80, purgatory_info at 0x[0-9a-f]+ \\(2440 bytes\\)\n"
        "    features 0x[0-9a-f]+: verify-sha256, memory-log, reset, hardware-digest"
        "    unsealed sha256 ${SHA256_RE}\n" "  not sealed\n")
    expect(EXIT 0 COMMAND "${TOOL}" inspect "${bin}" OUTPUT_MATCHES "^${bin_re}:\n  image: " ${image_lines} ERROR_MATCHES "^$")
    # The ELF adds its own section before the same image.
    expect(EXIT 0 COMMAND "${TOOL}" inspect "${elf}"
           OUTPUT_MATCHES "\n  ELF: 64-bit, ${order}-endian, ${arch}, type 3, entry 0x80, 0 relocations\n.*LOAD +offset .*RWX\n  image: "
                          ${image_lines})
  endforeach()
endfunction()

# What a sealed image holds, in words: segments and whose they are, the next kernel's entry and
# registers, console, reset, flags and user words by name.
function(test_sealed)
  write_bytes(kernel.bin "00112233445566778899aabbccddeeff")
  purgatory_image(x86 x86_64 bin)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" --load-address 0x1234000 --segment 0x3000000:kernel.bin
                        --segment 0x3100000:kernel.bin:0x2000 --entry 0x3000000 --reg rsi=0x3100000 --reg r15=7
                        --console 8250-pio,0x3f8,divisor=1 --on-failure reset --user 2=0x5e57 --quiet -o sealed.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect sealed.bin
         OUTPUT_MATCHES "\n  sealed: flags 0x6 \\(reset-on-failure, quiet\\)\n"
                        "\n    2 segments, all-segments sha256 ${SHA256_RE}\n"
                        "\n    segment 0  start +0x3000000 size +16  ${SHA256_RE}  \\(the loader's segment 0\\)\n"
                        "\n    segment 1  start +0x3100000 size +8192  ${SHA256_RE}  \\(the loader's segment 1\\)\n"
                        "\n    next kernel: entry 0x3000000, rax=0x0 .* rsi=0x3100000 .* r15=0x7\n"
                        "\n    console: 8250-pio, base 0x3f8, register shift 0, access width 0, divisor 1\n"
                        "\n    reset: default, token 0x0\n"
                        "\n    user: 0x0 0x0 0x5e57 0x0\n"
         ERROR_MATCHES "^$")
  # Every member a sealed block can have: ppc64's, a copy, registers, console and reset.
  purgatory_image(ppc ppc64 bin)
  write_zeros(low-memory.bin 256)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${ppc}" --load-address 0x2a6b0000 --segment 0x8000000:kernel.bin
                        --segment 0x8100000:kernel.bin:0x10000 --segment 0x8200000:kernel.bin:0x1000 --entry 0x8000000
                        --reg r3=0x8200000 --console hvc,0
                        --reset rtas-hcall,0x2004 --ppc64-secondary-entry 0x60 --ppc64-set-fdt-boot-cpu
                        --ppc64-low-memory low-memory.bin --copy 0:0x8100000:0x10000 --user 1=2 -o sealed-ppc64.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json sealed-ppc64.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  string(JSON members GET "${json}" 0 sealed)
  expect_documented_members(sealed "${members}")

  # Not yet run: no result shown.
  expect(EXIT 0 COMMAND "${TOOL}" inspect sealed.bin OUTPUT_MATCHES "reset: default" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json sealed.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  json_get(value "${json}" 0 sealed flag_names)
  expect_equal("${value}" "[ \"reset-on-failure\", \"quiet\" ]" "sealed.flag_names")
  json_get(value "${json}" 0 sealed segments 1 start)
  expect_equal("${value}" "51380224" "sealed.segments[1].start (0x3100000, as a number)")
  json_get(value "${json}" 0 sealed segments 1 loader_segment)
  expect_equal("${value}" "1" "sealed.segments[1].loader_segment")
  json_get(value "${json}" 0 sealed next_kernel registers rsi)
  expect_equal("${value}" "51380224" "sealed.next_kernel.registers.rsi")
  json_get(value "${json}" 0 sealed console kind_name)
  expect_equal("${value}" "8250-pio" "sealed.console.kind_name")
  json_get(value "${json}" 0 sealed user 2)
  expect_equal("${value}" "24151" "sealed.user[2]")
  json_get(value "${json}" 0 result status_name)
  expect_equal("${value}" "not-run" "result.status_name")
  json_get(value "${json}" 0 result failed_segment)
  expect_equal("${value}" "null" "result.failed_segment")
endfunction()

# A copy of the purgatory's memory (here made by hand from a sealed image: its result as a purgatory
# that found segment 1 bad would leave it, then .bss and stack): read back with the status by name, the
# segment in the loader's numbering with its address, both digests, the log in order.
# NAME.bin: the image BASE with log_length LENGTH (4 bytes, hex, little-endian) and the log LOG (hex) in
# the result at RESULT_OFFSET, then rest.bin up to the memory size: a dump as the purgatory leaves it.
# expect_members(<json> <what> "<section>;<member>;<wanted>"...): each member of the first file's object
# in `json` has the value wanted.
function(expect_members json what)
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE 2 ${last})  # ARGV<i>, not ARGN: ARGN would split each triple into its three parts
    set(triple "${ARGV${i}}")
    list(GET triple 0 section)
    list(GET triple 1 member)
    list(GET triple 2 wanted)
    json_get(value "${json}" 0 ${section} ${member})
    expect_equal("${value}" "${wanted}" "${what}: ${section}.${member}")
  endforeach()
endfunction()

function(dump_with_log base name result_offset length log)
  math(EXPR length_offset "${result_offset} + 48")
  math(EXPR log_offset "${result_offset} + 56")
  copy_patched("${base}" ${name}-length.bin ${length_offset} "${length}")
  copy_patched(${name}-length.bin ${name}-log.bin ${log_offset} "${log}")
  concatenate(${name}.bin ${name}-log.bin rest.bin)
endfunction()

function(test_dump)
  write_bytes(kernel.bin "00112233445566778899aabbccddeeff")
  purgatory_image(x86 x86_64 bin)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" --load-address 0x1234000 --segment 0x3000000:kernel.bin
                        --segment 0x3100000:kernel.bin --entry 0x3000000 -o sealed.bin OUTPUT_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json sealed.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  json_get(info "${json}" 0 image info_offset)
  json_get(memory "${json}" 0 image memory_size)
  json_get(expected "${json}" 0 sealed segments 1 sha256)
  math(EXPR result "${info} + 1296")
  # status 4 (mismatch), failed segment 1, a computed digest, bytes, log_length 24, engine 1, flags 0
  string(REPEAT "ab" 32 computed)
  encode(bytes_verified 48 8 little)
  set(patch "04000000" "01000000" "${computed}" "${bytes_verified}" "18000000" "0100" "0000")
  string(HEX "line one\nsecond line\n..." log)
  list(JOIN patch "" patch)
  copy_patched(sealed.bin patched.bin ${result} "${patch}${log}")
  file(SIZE patched.bin size)
  math(EXPR rest "${memory} - ${size}")
  write_zeros(rest.bin ${rest})
  concatenate(dump.bin patched.bin rest.bin)

  expect(EXIT 0 COMMAND "${TOOL}" inspect --json dump.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[" ERROR_MATCHES "^$")
  foreach(section IN ITEMS image result)
    string(JSON members GET "${json}" 0 ${section})
    expect_documented_members(${section} "${members}")
  endforeach()
  expect_members("${json}" dump "image;memory_dump;ON" "result;status;4" "result;status_name;mismatch"
                 "result;failed_segment;1" "result;failed_loader_segment;1" "result;failed_segment_start;51380224"
                 "result;failed_segment_size;16" "result;expected_sha256;${expected}"
                 "result;computed_sha256;${computed}" "result;bytes_verified;48"
                 "result;digest_engine_name;portable" "result;log_length;24"
                 "result;log;line one\nsecond line\n...")
  expect(EXIT 0 COMMAND "${TOOL}" inspect dump.bin
         OUTPUT_MATCHES "  image: x86_64 \\(little-endian\\), ABI [0-9.]+, a copy of the purgatory's memory\n"
                        "\n  result: mismatch, segment 1 \\(the loader's segment 1\\) at 0x3100000, 16 bytes\n"
                        "\n    expected sha256 ${expected}\n    computed sha256 ${computed}\n"
                        "\n    48 bytes verified, engine portable \\(none\\)\n"
                        "\n    log \\(24 bytes\\):\n      \\| line one\n      \\| second line\n      \\| \\.\\.\\.\n$"
         ERROR_MATCHES "^$")
  # The unsealed digest is the image's, whatever the dump holds past the file.
  expect(EXIT 0 COMMAND "${TOOL}" digest "${x86}" OUTPUT_VARIABLE image_digest OUTPUT_MATCHES "^${SHA256_RE}  ")
  string(SUBSTRING "${image_digest}" 0 64 image_digest)
  json_get(value "${json}" 0 image unsealed_sha256)
  expect_equal("${value}" "${image_digest}" "dump: image.unsealed_sha256, against digest of the image")
  # The log is shown as text that cannot drive the terminal: "esc ESC [2J CR LF bell BEL LF" (15 bytes)
  # shows the control bytes as \xNN and drops the console's CR.
  dump_with_log(patched.bin controls-dump ${result} 0f000000 6573631b5b324a0d0a62656c6c070a)
  expect(EXIT 0 COMMAND "${TOOL}" inspect controls-dump.bin
         OUTPUT_MATCHES "\n    log \\(15 bytes\\):\n      \\| esc\\\\x1b\\[2J\n      \\| bell\\\\x07\n$"
         ERROR_MATCHES "^$")
  # A log with no verdict (status 0, not run: a dump taken before the purgatory decided) is shown.
  dump_with_log(sealed.bin early-dump ${result} 18000000 "${log}")
  expect(EXIT 0 COMMAND "${TOOL}" inspect early-dump.bin
         OUTPUT_MATCHES "\n  result: not-run\n" "\n    log \\(24 bytes\\):\n      \\| line one\n"
         ERROR_MATCHES "^$")
  # A ring that wrapped: 1034 bytes written into 1024, so its oldest kept byte is at 10. The ring holds
  # "tail line\n" (the newest 10 bytes) then 169 "older\n"; read back oldest first.
  string(REPEAT "older\n" 169 older)
  string(HEX "tail line\n${older}" ring)
  dump_with_log(patched.bin wrapped-dump ${result} 0a040000 "${ring}")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json wrapped-dump.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[" ERROR_MATCHES "^$")
  expect_members("${json}" "wrapped dump" "result;log_wrapped;ON" "result;log_length;1034"
                 "result;log;${older}tail line\n")  # oldest first
  expect(EXIT 0 COMMAND "${TOOL}" inspect wrapped-dump.bin
         OUTPUT_MATCHES "\n    log \\(1034 bytes, the last 1024 kept\\):\n      \\| older\n"
                        "\n      \\| older\n      \\| tail line\n$"
         ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect sealed.bin OUTPUT_MATCHES "." ERROR_MATCHES "^$" OUTPUT_VARIABLE sealed_text)
  if(sealed_text MATCHES "result:")
    message(SEND_ERROR "FAILED: inspect of a sealed image that never ran shows a result:\n${sealed_text}")
  endif()

  # One byte more than the purgatory's memory is no dump of it.
  write_zeros(one.bin 1)
  concatenate(too-long.bin dump.bin one.bin)
  expect(EXIT 1 COMMAND "${TOOL}" inspect too-long.bin OUTPUT_MATCHES "error: a copy of the purgatory's memory holds")
endfunction()

function(test_json)
  foreach(arch IN LISTS ARCHES)
    purgatory_image(bin ${arch} bin)
    purgatory_image(elf ${arch} elf)
    file(SIZE "${bin}" bin_size)
    file(SIZE "${elf}" elf_size)
    file(SHA256 "${bin}" bin_sha256)

    # Always an array of objects, each with its file; numbers as numbers.
    expect(EXIT 0 COMMAND "${TOOL}" inspect --json "${bin}" OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[\n  {" ERROR_MATCHES "^$")
    string(JSON count ERROR_VARIABLE error LENGTH "${json}")
    expect_equal("${count}" "1" "${arch} .bin: entries for one file")
    json_get(value "${json}" 0 file)
    expect_equal("${value}" "${bin}" "${arch} .bin: file")
    json_get(value "${json}" 0 size)
    expect_equal("${value}" "${bin_size}" "${arch} .bin: size")
    json_get(value "${json}" 0 image arch)
    expect_equal("${value}" "${arch}" "${arch} .bin: image.arch")
    json_get(value "${json}" 0 image file_size)
    expect_equal("${value}" "${bin_size}" "${arch} .bin: image.file_size")
    json_get(value "${json}" 0 image entry_offset)
    expect_equal("${value}" "128" "${arch} .bin: image.entry_offset")
    json_get(value "${json}" 0 image abi minor)
    expect_equal("${value}" "${ABI_MINOR}" "${arch} .bin: image.abi.minor")
    json_get(value "${json}" 0 image memory_dump)
    expect_equal("${value}" "OFF" "${arch} .bin: image.memory_dump")
    json_get(value "${json}" 0 sealed)
    expect_equal("${value}" "null" "${arch} .bin: sealed")
    # As built, the loader's part of purgatory_info is zero: the unsealed digest is the file's.
    json_get(value "${json}" 0 image unsealed_sha256)
    expect_equal("${value}" "${bin_sha256}" "${arch} .bin: image.unsealed_sha256")
    string(JSON ignored ERROR_VARIABLE no_elf TYPE "${json}" 0 elf)
    if(NOT no_elf)
      message(SEND_ERROR "FAILED: ${arch} .bin: a flat image has an \"elf\" member")
    endif()

    expect(EXIT 0 COMMAND "${TOOL}" inspect --json "${elf}" OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
    string(JSON members GET "${json}" 0 elf)
    expect_documented_members(elf "${members}")
    json_get(value "${json}" 0 size)
    expect_equal("${value}" "${elf_size}" "${arch} .elf: size")
    json_get(value "${json}" 0 elf arch)
    expect_equal("${value}" "${arch}" "${arch} .elf: elf.arch")
    json_get(value "${json}" 0 elf relocations)
    expect_equal("${value}" "0" "${arch} .elf: elf.relocations")
    json_get(value "${json}" 0 elf problems)
    expect_equal("${value}" "[]" "${arch} .elf: elf.problems")
    json_get(value "${json}" 0 elf program_headers 0 type)
    expect_equal("${value}" "LOAD" "${arch} .elf: elf.program_headers[0].type")
    # The image inside the ELF is the .bin.
    json_get(value "${json}" 0 image file_size)
    expect_equal("${value}" "${bin_size}" "${arch} .elf: image.file_size")
    json_get(value "${json}" 0 image unsealed_sha256)
    expect_equal("${value}" "${bin_sha256}" "${arch} .elf: image.unsealed_sha256")
  endforeach()

  # Several files: an array, in order.
  purgatory_image(first x86_64 bin)
  purgatory_image(second ppc64 elf)
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json "${first}" "${second}" OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  string(JSON count ERROR_VARIABLE error LENGTH "${json}")
  expect_equal("${count}" "2" "entries for two files")
  json_get(value "${json}" 0 image arch)
  expect_equal("${value}" "x86_64" "[0].image.arch")
  json_get(value "${json}" 1 image arch)
  expect_equal("${value}" "ppc64" "[1].image.arch")
  json_get(value "${json}" 1 image byte_order)
  expect_equal("${value}" "big" "[1].image.byte_order")
endfunction()

function(test_abi_doc)
  # docs/abi.md's header table states the ABI version and each arch's feature word: the images' own.
  file(READ "${CMAKE_CURRENT_LIST_DIR}/../../docs/abi.md" abi_doc)
  if(NOT abi_doc MATCHES "\\| 12 \\| 2 \\| `abi_major` \\| ${ABI_MAJOR} \\|")
    message(SEND_ERROR "FAILED: docs/abi.md's header table does not give abi_major ${ABI_MAJOR}")
  endif()
  if(NOT abi_doc MATCHES "\\| 14 \\| 2 \\| `abi_minor` \\| ${ABI_MINOR} \\|")
    message(SEND_ERROR "FAILED: docs/abi.md's header table does not give abi_minor ${ABI_MINOR}")
  endif()
  # The title and the version rule's "Current version" state it too.
  if(NOT abi_doc MATCHES "^# The purgatory ABI, version ${ABI_MAJOR}\\.${ABI_MINOR}\n")
    message(SEND_ERROR "FAILED: docs/abi.md's title does not say version ${ABI_MAJOR}.${ABI_MINOR}")
  endif()
  if(NOT abi_doc MATCHES "Current version: `PURGATORY_ABI_MAJOR` ${ABI_MAJOR}, `PURGATORY_ABI_MINOR` ${ABI_MINOR}\\.")
    message(SEND_ERROR "FAILED: docs/abi.md's \"Current version\" does not say ${ABI_MAJOR}.${ABI_MINOR}")
  endif()
  foreach(arch IN LISTS ARCHES)
    purgatory_image(bin ${arch} bin)
    expect(EXIT 0 COMMAND "${TOOL}" inspect --json "${bin}" OUTPUT_VARIABLE json OUTPUT_MATCHES "features")
    json_get(features "${json}" 0 image features)
    math(EXPR features_hex "${features}" OUTPUT_FORMAT HEXADECIMAL)
    # Each word beside its arch's name ("ppc64\nand ppc64le HVC only (0x82f)" names both ppc64s).
    set(arch_re "${arch}")
    if(arch MATCHES "^ppc64")
      set(arch_re "ppc64le")
    endif()
    if(NOT abi_doc MATCHES "${arch_re} [^()]*\\(${features_hex}\\)")
      message(SEND_ERROR "FAILED: docs/abi.md does not give ${arch}'s feature word (${features_hex})")
    endif()
  endforeach()
endfunction()

function(test_brief)
  set(files "")
  set(rows "")
  foreach(arch IN LISTS ARCHES)
    purgatory_image(bin ${arch} bin)
    purgatory_image(elf ${arch} elf)
    file(SIZE "${bin}" size)
    regex_quote(bin_re "${bin}")
    regex_quote(elf_re "${elf}")
    list(APPEND files "${bin}" "${elf}")
    # arch, file size, memory size, entry offset, relocations (- for a flat file), file
    string(APPEND rows "${arch} +${size} +[0-9]+ +0x80 +-  ${bin_re}\n${arch} +${size} +[0-9]+ +0x80 +0  ${elf_re}\n")
  endforeach()
  expect(EXIT 0 COMMAND "${TOOL}" inspect --brief ${files}
         OUTPUT_VARIABLE out OUTPUT_MATCHES "^arch +file +memory +entry +relocs +image\n${rows}$" ERROR_MATCHES "^$")
  # One line per file, after the heading.
  string(REGEX MATCHALL "\n" newlines "${out}")
  list(LENGTH newlines lines)
  list(LENGTH files count)
  math(EXPR count "${count} + 1")
  expect_equal("${lines}" "${count}" "lines of --brief for ${count} files and the heading")
endfunction()

function(test_errors)
  purgatory_image(good x86_64 bin)
  file(WRITE text.txt "not an image\n")
  next_kernel_image(bare arm64 elf)

  expect(EXIT 1 COMMAND "${TOOL}" inspect text.txt
         OUTPUT_MATCHES "^text\\.txt:\n  error: not a purgatory image .*no \"PURGATRY\" magic at offset 0")
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json text.txt OUTPUT_VARIABLE json OUTPUT_MATCHES "\"error\"")
  json_get(value "${json}" 0 error)
  expect_equal("${value}" "not a purgatory image (no \"PURGATRY\" magic at offset 0)" "text.txt: error")
  # A bare ELF is described as an ELF, but it is not an image.
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json "${bare}" OUTPUT_VARIABLE json OUTPUT_MATCHES "\"error\"")
  json_get(value "${json}" 0 elf arch)
  expect_equal("${value}" "arm64" "bare next-kernel.elf: elf.arch")
  # A broken ELF gives an "error" member.
  copy_prefix("${good}" truncated.bin 64)
  purgatory_image(elf x86_64 elf)
  copy_prefix("${elf}" truncated.elf 64)
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json truncated.elf OUTPUT_VARIABLE json OUTPUT_MATCHES "\"error\"")
  json_get(value "${json}" 0 error)
  expect_equal("${value}" "ELF file truncated: section header 0 is cut off" "truncated.elf: error")
  expect(EXIT 1 COMMAND "${TOOL}" inspect --brief truncated.bin OUTPUT_MATCHES "\n\\? +- +- +- +-  truncated\\.bin\n$")

  # A bad file among good ones: all are described, the status is 1.
  expect(EXIT 1 COMMAND "${TOOL}" inspect --brief "${good}" text.txt
         OUTPUT_MATCHES "\nx86_64 .*\n\\? +- +- +- +-  text\\.txt\n$")
  expect(EXIT 2 COMMAND "${TOOL}" inspect "${good}" missing.bin OUTPUT_MATCHES "image: x86_64"
         ERROR_MATCHES "^purgatory-tool: missing\\.bin: cannot open: No such file")
  # A file that cannot be read is an object with its error in JSON too, never a missing entry.
  expect(EXIT 2 COMMAND "${TOOL}" inspect --json "${good}" missing.bin OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  json_get(value "${json}" 1 file)
  expect_equal("${value}" "missing.bin" "[1].file of an unreadable file")
  json_get(value "${json}" 1 error)
  expect_equal("${value}" "missing.bin: cannot open: No such file or directory" "[1].error of an unreadable file")
  # Read errors are errors, never a crash: /proc/self/mem fails to read at offset 0.
  expect(EXIT 2 COMMAND "${TOOL}" inspect /proc/self/mem ERROR_MATCHES "^purgatory-tool: /proc/self/mem: read error: ")

  expect(EXIT 2 COMMAND "${TOOL}" inspect --json --brief "${good}" OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: --json excludes --brief")
  expect(EXIT 2 COMMAND "${TOOL}" inspect --brief --json "${good}" ERROR_MATCHES "excludes")
endfunction()

# JSON strings must be UTF-8, but what inspect describes comes from the file: an ELF section name is any
# bytes. Here the section name table of a real ELF is also marked as a relocation section (SHT_RELA), so
# inspect lists it among the problems, by name; in the second copy that name starts with the byte 0xff.
# inspect --json must still describe both, never abort, and give status 1: the one validation every
# command shares refuses an ELF with relocation sections.
function(test_json_invalid_utf8)
  purgatory_image(elf x86_64 elf)
  read_bytes(shoff "${elf}" 40 8)
  decode(shoff "${shoff}" little)
  read_bytes(shstrndx "${elf}" 62 2)
  decode(shstrndx "${shstrndx}" little)
  math(EXPR section "${shoff} + 64 * ${shstrndx}")
  read_bytes(name "${elf}" ${section} 4)
  decode(name "${name}" little)
  read_bytes(table "${elf}" "${section} + 24" 8)
  decode(table "${table}" little)
  copy_patched("${elf}" rela.elf "${section} + 4" 04000000)
  copy_patched(rela.elf bad-name.elf "${table} + ${name}" ff)

  expect(EXIT 1 COMMAND "${TOOL}" check rela.elf ERROR_MATCHES "relocation entries in \\.shstrtab")
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json rela.elf OUTPUT_VARIABLE json
         OUTPUT_MATCHES "relocation entries in \\.shstrtab" ERROR_MATCHES "^$")
  expect(EXIT 1 COMMAND "${TOOL}" check bad-name.elf ERROR_MATCHES "relocation entries in .shstrtab")
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json bad-name.elf OUTPUT_VARIABLE json
         OUTPUT_MATCHES "relocation entries in .*shstrtab" ERROR_MATCHES "^$")
  string(JSON problem ERROR_VARIABLE error GET "${json}" 0 elf problems 0)
  if(error)
    message(SEND_ERROR "FAILED: inspect --json bad-name.elf did not print JSON with the problem (${error})")
  endif()
endfunction()

run_group()
