# SPDX-License-Identifier: MIT
# purgatory-tool seal: a successful seal per arch, checked byte by byte against purgatory_info's layout
# (<purgatory/abi.h>), and every refusal: exit status 1 (2 for bad usage, a value that is not a number or
# a spec, or a file that cannot be read or written), a message naming the problem, and no output file.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

# purgatory_info offsets (abi.h's layout checks pin them).
set(INFO_SEALED 12)
set(INFO_FLAGS 16)
set(INFO_SEGMENT_COUNT 20)
set(INFO_SHA256 24)
set(INFO_SEGMENTS 56)  # 48 bytes each: start, size, sha256
set(INFO_NEXT 824)     # the arch's entry address comes first
set(INFO_CONSOLE 1208) # kind (4 bytes), 4 more, base (8 bytes)
set(INFO_RESET 1240)   # method (4 bytes), token (4 bytes)
set(INFO_SEGMENT_ORIGIN 2376)  # 1.3: 16 bytes, 1 + the loader's number of each segment

# Where things go, per arch (as the boot tests place them), and what the arch's loader would pass.
set(x86_64_load 0x1234000)
set(x86_64_kernel 0x3000000)
set(x86_64_data 0x3100000)
set(x86_64_options --reg rsi=0x3100000 --console 8250-pio,0x3f8,divisor=1 --quiet --verify-each-segment)
set(x86_64_console 1 0x3f8)
set(x86_64_flags 20)    # QUIET, VERIFY_EACH_SEGMENT
set(x86_64_reset 0 0)   # method, token
set(x86_64_register 40 0x3100000)  # rsi: its offset in purgatory_x86_64_state, its value

set(arm64_load 0x4a6b1000)
set(arm64_kernel 0x48000000)
set(arm64_data 0x48100000)
set(arm64_options --reg x0=0x48100000 --console pl011,0x9000000 --reset psci-hvc --on-failure reset)
set(arm64_console 3 0x9000000)
set(arm64_flags 2)      # RESET_ON_FAILURE
set(arm64_reset 1 0)    # PSCI_HVC
set(arm64_register 8 0x48100000)  # x0

set(ppc64le_load 0x2a6b0000)
set(ppc64le_kernel 0x8000000)
set(ppc64le_data 0x8100000)
set(ppc64le_options --reg r3=0x8100000 --reg r4=0x8000000 --reg r5=0 --console hvc --reset rtas-hcall,0x2004
                    --skip-verification)
set(ppc64le_console 4 0)
set(ppc64le_flags 1)    # SKIP_VERIFICATION
set(ppc64le_reset 3 0x2004)
set(ppc64le_register 8 0x8100000)  # r3

set(ppc64_load 0x2a6b0000)
set(ppc64_kernel 0x8000000)
set(ppc64_data 0x8100000)
set(ppc64_options --reg r3=0x8100000 --reg r4=0x8000000 --console hvc,0 --reset rtas-hcall,0x2004
                  --ppc64-secondary-entry 0x60 --ppc64-set-fdt-boot-cpu --ppc64-low-memory low-memory.bin
                  --no-hardware-digest)
set(ppc64_console 4 0)
set(ppc64_flags 8)      # NO_HARDWARE_DIGEST
set(ppc64_reset 3 0x2004)
set(ppc64_register 8 0x8100000)  # r3

# Segment files: a "kernel" of text and a data segment of bytes (NULs included) that seal zero-fills to
# one page; and for ppc64 the 256 bytes of low memory, here 00 01 ... ff.
function(write_segments)
  file(WRITE kernel.bin "a stand-in next kernel: only its digest matters here\n")
  write_bytes(data.bin "00010203fffefd00")
  set(bytes "")
  foreach(byte RANGE 255)
    math(EXPR byte "0x100 + ${byte}" OUTPUT_FORMAT HEXADECIMAL)  # 0x1NN: always two digits after the 1
    string(SUBSTRING "${byte}" 3 2 byte)
    string(APPEND bytes "${byte}")
  endforeach()
  write_bytes(low-memory.bin "${bytes}")
endfunction()

# Seals the <arch> image as that arch's loader would and checks the result.
function(seal_and_check arch)
  write_segments()
  purgatory_image(elf ${arch} elf)
  purgatory_image(bin ${arch} bin)
  byte_order_of(order ${arch})
  set(load ${${arch}_load})
  set(kernel ${${arch}_kernel})
  set(data ${${arch}_data})

  # The ELF and the flat image seal to the same bytes.
  foreach(input IN ITEMS elf bin)
    expect(EXIT 0 COMMAND "${TOOL}" seal "${${input}}" -o sealed-from-${input}.bin --arch ${arch}
                          --load-address ${load} --entry ${kernel}
                          --segment ${kernel}:kernel.bin --segment ${data}:data.bin:0x1000 ${${arch}_options}
           OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  endforeach()
  file(SHA256 sealed-from-elf.bin from_elf)
  file(SHA256 sealed-from-bin.bin from_bin)
  expect_equal("${from_elf}" "${from_bin}" "${arch}: SHA-256 of the image sealed from the ELF and from the .bin")
  set(sealed sealed-from-bin.bin)
  expect_no_file(${sealed}.tmp)

  # Still a valid image, now sealed, with two segments; nothing else in the header changed.
  expect(EXIT 0 COMMAND "${TOOL}" check ${sealed} OUTPUT_MATCHES "^${sealed}: ok \\(${arch}\\)\n$")
  # (ppc64: its low memory is checked as a third segment.)
  set(count 2)
  if(arch STREQUAL "ppc64")
    set(count 3)
  endif()
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json ${sealed} OUTPUT_VARIABLE json OUTPUT_MATCHES "\"sealed\": {")
  json_get(value "${json}" 0 sealed segment_count)
  expect_equal("${value}" "${count}" "${arch}: sealed.segment_count after seal")
  json_get(value "${json}" 0 image arch)
  expect_equal("${value}" "${arch}" "${arch}: image.arch after seal")
  json_get(info "${json}" 0 image info_offset)
  read_bytes(sealed_header ${sealed} 0 128)
  read_bytes(unsealed_header "${bin}" 0 128)
  expect_equal("${sealed_header}" "${unsealed_header}" "${arch}: the image header after seal")

  # The signed digest ignores what the loader fills in; the file's own SHA-256 does not.
  expect(EXIT 0 COMMAND "${TOOL}" digest ${sealed} OUTPUT_VARIABLE sealed_digest OUTPUT_MATCHES "^${SHA256_RE}  ${sealed}\n$")
  expect(EXIT 0 COMMAND "${TOOL}" digest "${bin}" OUTPUT_VARIABLE unsealed_digest OUTPUT_MATCHES "^${SHA256_RE}  ")
  string(SUBSTRING "${sealed_digest}" 0 64 sealed_digest)
  string(SUBSTRING "${unsealed_digest}" 0 64 unsealed_digest)
  expect_equal("${sealed_digest}" "${unsealed_digest}" "${arch}: digest of the sealed image")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 ${sealed} "${bin}" OUTPUT_VARIABLE sums OUTPUT_MATCHES "^${SHA256_RE}  ${sealed}\n${SHA256_RE}  ")
  string(SUBSTRING "${sums}" 0 64 sealed_sha256)
  expect_not_equal("${sealed_sha256}" "${unsealed_digest}" "${arch}: sha256 of the sealed image")
  file(SHA256 ${sealed} cmake_sha256)
  expect_equal("${sealed_sha256}" "${cmake_sha256}" "${arch}: sha256 of the sealed image, as CMake computes it")

  # purgatory_info, in the image's byte order: the seal marker, the segments and their digests (the
  # data segment hashed as its bytes and zeros up to 0x1000), the entry, the console.
  encode(expected 0x5ea1ed01 4 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_SEALED}" 4)
  expect_equal("${actual}" "${expected}" "${arch}: purgatory_info.sealed")
  encode(expected ${${arch}_flags} 4 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_FLAGS}" 4)
  expect_equal("${actual}" "${expected}" "${arch}: purgatory_info.flags")
  encode(expected ${count} 4 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_SEGMENT_COUNT}" 4)
  expect_equal("${actual}" "${expected}" "${arch}: purgatory_info.segment_count")
  # Whose each segment is: the loader's own, in order; ppc64 low memory marked (0xff).
  set(expected "0102")
  if(arch STREQUAL "ppc64")
    set(expected "0102ff")
  endif()
  read_bytes(actual ${sealed} "${info} + ${INFO_SEGMENT_ORIGIN}" 3)
  string(SUBSTRING "${actual}" 0 6 actual)
  string(LENGTH "${expected}" length)
  string(SUBSTRING "${actual}" 0 ${length} actual)
  expect_equal("${actual}" "${expected}" "${arch}: purgatory_info.segment_origin")

  file(SIZE data.bin data_size)
  math(EXPR padding "0x1000 - ${data_size}")
  write_zeros(padding.bin ${padding})
  concatenate(data-in-memory.bin data.bin padding.bin)
  concatenate(all-segments.bin kernel.bin data-in-memory.bin)
  file(SIZE kernel.bin kernel_size)
  set(starts ${kernel} ${data})
  set(sizes ${kernel_size} 0x1000)
  set(contents kernel.bin data-in-memory.bin)
  foreach(segment RANGE 1)
    list(GET starts ${segment} start)
    list(GET sizes ${segment} size)
    list(GET contents ${segment} in_memory)
    math(EXPR at "${info} + ${INFO_SEGMENTS} + 48 * ${segment}")
    encode(expected ${start} 8 ${order})
    read_bytes(actual ${sealed} ${at} 8)
    expect_equal("${actual}" "${expected}" "${arch}: segments[${segment}].start")
    encode(expected ${size} 8 ${order})
    read_bytes(actual ${sealed} "${at} + 8" 8)
    expect_equal("${actual}" "${expected}" "${arch}: segments[${segment}].size")
    file(SHA256 ${in_memory} expected)
    read_bytes(actual ${sealed} "${at} + 16" 32)
    expect_equal("${actual}" "${expected}" "${arch}: segments[${segment}].sha256")
  endforeach()
  if(arch STREQUAL "ppc64")
    concatenate(all-segments-and-low-memory.bin all-segments.bin low-memory.bin)
    file(RENAME all-segments-and-low-memory.bin all-segments.bin)
  endif()
  file(SHA256 all-segments.bin expected)
  read_bytes(actual ${sealed} "${info} + ${INFO_SHA256}" 32)
  expect_equal("${actual}" "${expected}" "${arch}: purgatory_info.sha256 (all segments)")

  encode(expected ${kernel} 8 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_NEXT}" 8)
  expect_equal("${actual}" "${expected}" "${arch}: the next kernel's entry")
  list(GET ${arch}_register 0 offset)
  list(GET ${arch}_register 1 value)
  encode(expected ${value} 8 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_NEXT} + ${offset}" 8)
  expect_equal("${actual}" "${expected}" "${arch}: the register at offset ${offset} of the next kernel's state")
  if(arch STREQUAL "ppc64")
    # secondary_entry (offset 48), then flags: SET_FDT_BOOT_CPU | RESTORE_LOW_MEMORY.
    encode(expected 0x60 8 ${order})
    read_bytes(actual ${sealed} "${info} + ${INFO_NEXT} + 48" 8)
    expect_equal("${actual}" "${expected}" "${arch}: next.ppc64.secondary_entry")
    encode(expected 3 4 ${order})
    read_bytes(actual ${sealed} "${info} + ${INFO_NEXT} + 56" 4)
    expect_equal("${actual}" "${expected}" "${arch}: next.ppc64.flags")
    # low_memory (offset 64): a byte array, copied as it is whatever the byte order.
    read_bytes(expected low-memory.bin 0 256)
    read_bytes(actual ${sealed} "${info} + ${INFO_NEXT} + 64" 256)
    expect_equal("${actual}" "${expected}" "${arch}: next.ppc64.low_memory")
  endif()

  list(GET ${arch}_console 0 kind)
  list(GET ${arch}_console 1 base)
  encode(expected ${kind} 4 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_CONSOLE}" 4)
  expect_equal("${actual}" "${expected}" "${arch}: console.kind")
  encode(expected ${base} 8 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_CONSOLE} + 8" 8)
  expect_equal("${actual}" "${expected}" "${arch}: console.base")

  list(GET ${arch}_reset 0 method)
  list(GET ${arch}_reset 1 token)
  encode(method ${method} 4 ${order})
  encode(token ${token} 4 ${order})
  read_bytes(actual ${sealed} "${info} + ${INFO_RESET}" 8)
  expect_equal("${actual}" "${method}${token}" "${arch}: reset.method and reset.token")

  # --verify-each-segment: an image that hashes two segments at once (feature bit 4) gets each segment
  # of 1 MiB or more as two halves, listed first, the others after; any other image, the segments as
  # given.
  expect(EXIT 0 COMMAND "${TOOL}" seal "${bin}" -o paired.bin --load-address ${load} --entry ${kernel}
                        --segment ${kernel}:kernel.bin --segment ${data}:data.bin:0x100000 --verify-each-segment
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  json_get(features "${json}" 0 image features)
  math(EXPR pairs "(${features} >> 4) & 1")
  if(pairs)
    set(starts ${data} "${data} + 0x80000" ${kernel})
    set(sizes 0x80000 0x80000 ${kernel_size})
  else()
    set(starts ${kernel} ${data})
    set(sizes ${kernel_size} 0x100000)
  endif()
  list(LENGTH starts count)
  # inspect lists the sealed segments, as the purgatory numbers them.
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json paired.bin OUTPUT_VARIABLE paired_json OUTPUT_MATCHES "\"segments\": \\[")
  expect(EXIT 0 COMMAND "${TOOL}" inspect paired.bin OUTPUT_MATCHES "\n    segment 0  start +0x[0-9a-f]+ size +[0-9]+  ${SHA256_RE}  \\(")
  encode(expected ${count} 4 ${order})
  read_bytes(actual paired.bin "${info} + ${INFO_SEGMENT_COUNT}" 4)
  expect_equal("${actual}" "${expected}" "${arch}: segment_count with --verify-each-segment (features ${features})")
  math(EXPR last "${count} - 1")
  foreach(segment RANGE ${last})
    list(GET starts ${segment} start)
    list(GET sizes ${segment} size)
    math(EXPR start "${start}")
    math(EXPR at "${info} + ${INFO_SEGMENTS} + 48 * ${segment}")
    encode(expected ${start} 8 ${order})
    read_bytes(actual paired.bin ${at} 8)
    expect_equal("${actual}" "${expected}" "${arch}: segments[${segment}].start with --verify-each-segment")
    encode(expected ${size} 8 ${order})
    read_bytes(actual paired.bin "${at} + 8" 8)
    expect_equal("${actual}" "${expected}" "${arch}: segments[${segment}].size with --verify-each-segment")
    json_get(value "${paired_json}" 0 sealed segments ${segment} start)
    expect_equal("${value}" "${start}" "${arch}: inspect's segments[${segment}].start")
    json_get(value "${paired_json}" 0 sealed segments ${segment} size)
    math(EXPR size "${size}")
    expect_equal("${value}" "${size}" "${arch}: inspect's segments[${segment}].size")
  endforeach()
  # The halves say whose they are: the loader's segment 1 (the data), first and second half.
  if(pairs)
    foreach(check IN ITEMS "0;loader_segment;1" "0;part;first half" "1;loader_segment;1" "1;part;second half"
                           "2;loader_segment;0" "2;part;whole")
      list(GET check 0 segment)
      list(GET check 1 member)
      list(GET check 2 wanted)
      json_get(value "${paired_json}" 0 sealed segments ${segment} ${member})
      expect_equal("${value}" "${wanted}" "${arch}: inspect's segments[${segment}].${member} with --verify-each-segment")
    endforeach()
  endif()
endfunction()

function(test_x86_64)
  seal_and_check(x86_64)
endfunction()
function(test_arm64)
  seal_and_check(arm64)
endfunction()
function(test_ppc64le)
  seal_and_check(ppc64le)
endfunction()
function(test_ppc64)
  seal_and_check(ppc64)
endfunction()

# expect_refused(EXIT <status> ERROR_MATCHES <regex> ARGS <seal arguments>...)
# A seal that must fail: the message, and no output file (nor its temporary) left behind.
function(expect_refused)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "EXIT;ERROR_MATCHES" "ARGS")
  file(REMOVE refused.bin refused.bin.tmp)
  expect(EXIT ${arg_EXIT} COMMAND "${TOOL}" seal ${arg_ARGS} -o refused.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "${arg_ERROR_MATCHES}")
  expect_no_file("${WORK_DIR}/refused.bin" "${WORK_DIR}/refused.bin.tmp")
endfunction()

function(test_refusals)
  write_segments()
  purgatory_image(x86 x86_64 bin)
  purgatory_image(arm arm64 elf)
  set(ok --load-address 0x1234000 --entry 0x3000000)  # with --segment 0x3000000:kernel.bin, a valid x86_64 seal

  # Placement.
  expect_refused(EXIT 1 ARGS "${arm}" --load-address 0x4a6b1800 --segment 0x48000000:kernel.bin --entry 0x48000000
                 ERROR_MATCHES "load address 0x4a6b1800 is not a multiple of the image's load alignment 0x1000")
  expect_refused(EXIT 1 ARGS "${x86}" --load-address 0x1234008 --segment 0x3000000:kernel.bin --entry 0
                 ERROR_MATCHES "load address 0x1234008 is not a multiple of the image's load alignment 0x10")
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin:0x2000 --segment 0x3001000:data.bin
                 ERROR_MATCHES "segments 0 and 1 overlap \\(at 0x3000000 and 0x3001000\\)")
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --segment 0x3000000:data.bin
                 ERROR_MATCHES "segments 0 and 1 overlap")
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x1235000:kernel.bin
                 ERROR_MATCHES "segment 0 at 0x1235000 \\([0-9]+ bytes\\): the segment overlaps the purgatory's own memory \\[0x1234000, ")
  # Just below the purgatory, its last byte on the purgatory's first.
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x1233000:data.bin:0x1001
                 ERROR_MATCHES "segment 0 .* overlaps the purgatory's own memory")
  set(seventeen "")
  foreach(i RANGE 16)
    math(EXPR address "0x10000000 + ${i} * 0x1000" OUTPUT_FORMAT HEXADECIMAL)
    list(APPEND seventeen --segment ${address}:kernel.bin)
  endforeach()
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} ${seventeen} ERROR_MATCHES "17 segments: at most 16 fit in purgatory_info")
  list(REMOVE_AT seventeen 0 1)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" --load-address 0x1234000 --entry 0x10001000 ${seventeen} -o sixteen.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  # (Empty segment files: inputs.cmake.)
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin:8
                 ERROR_MATCHES "segment 0: memory size 0x8 is smaller than its [0-9]+ bytes")
  expect_refused(EXIT 1 ARGS "${x86}" --load-address 0xfffffffffffff000 --segment 0x3000000:kernel.bin --entry 0
                 ERROR_MATCHES "would run past the end of the address space")

  # Registers.
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --reg x0=1
                 ERROR_MATCHES "unknown register \"x0\" for x86_64 \\(known: rax, ")
  expect_refused(EXIT 1 ARGS "${arm}" --load-address 0x4a6b1000 --segment 0x48000000:kernel.bin --entry 0 --reg rsi=1
                 ERROR_MATCHES "unknown register \"rsi\" for arm64 \\(known: x0, x1, x2, x3\\)")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --reg rax=1 --reg rax=2
                 ERROR_MATCHES "--reg rax given twice")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --reg rax
                 ERROR_MATCHES "--reg \"rax\" is not NAME=VALUE")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --user 4=1
                 ERROR_MATCHES "--user 4=1: the index is 0..3")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --user 0=1 --user 0x0=2
                 ERROR_MATCHES "--user 0 given twice")

  # Copies after verification (ABI 1.4): sealed and shown; malformed or breaking a rule, refused.
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" ${ok} --segment 0x3000000:kernel.bin --segment 0x5000000:data.bin:0x10000
         --copy 0:0x5000000:0x10000 -o copying.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect copying.bin
         OUTPUT_MATCHES "\n    after verification: copy 65536 bytes from 0x0 to 0x5000000\n")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json copying.bin
         OUTPUT_MATCHES "\"copies\": \\[\n +{\n +\"source\": 0,\n +\"destination\": 83886080,\n +\"size\": 65536")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --copy 0:0x3000000
                 ERROR_MATCHES "--copy 0:0x3000000: expected SOURCE:DESTINATION:SIZE")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --copy 0:zz:8
                 ERROR_MATCHES "--copy 0:zz:8: ")
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --copy 0x100:0x3000000:8
                 ERROR_MATCHES "segment 0 at 0x3000000 \\([0-9]+ bytes\\): a copy's destination segment holds the next kernel's entry")
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --copy 0x100:0x7000000:8
                 ERROR_MATCHES "a copy's destination is not inside one segment")

  # Consoles.
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --console 8250-pio,0x10000
                 ERROR_MATCHES "console \"8250-pio,0x10000\": an I/O port is at most 0xffff")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --console uart,1
                 ERROR_MATCHES "unknown console \"uart\" \\(none, 8250-pio, 8250-mmio, pl011, hvc\\)")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --console 8250-mmio,0x1000,width=3
                 ERROR_MATCHES "console \"8250-mmio,0x1000,width=3\": width must be 1 or 4")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --console 8250-mmio,0x1000,shift=5
                 ERROR_MATCHES "shift must be 0..4")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --console 8250-pio,0x3f8,divisor=0
                 ERROR_MATCHES "divisor must be 1..65535")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --console 8250-pio,0x3f8,shift=2
                 ERROR_MATCHES "option \"shift\" does not apply to 8250-pio")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --console 8250-pio,0x3f8,divisor=1,divisor=2
                 ERROR_MATCHES "console \"8250-pio,0x3f8,divisor=1,divisor=2\": divisor given twice")
  expect_refused(EXIT 2 ARGS "${arm}" --load-address 0x4a6b1000 --segment 0x48000000:kernel.bin --entry 0 --console pl011
                 ERROR_MATCHES "console \"pl011\": pl011 needs an address")

  # Resets.
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --reset reboot
                 ERROR_MATCHES "unknown reset \"reboot\" \\(default, psci-hvc, psci-smc, rtas-hcall,TOKEN\\)")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --reset rtas-hcall,0
                 ERROR_MATCHES "reset \"rtas-hcall,0\": the RTAS token must be a non-zero 32-bit number")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --reset rtas-hcall
                 ERROR_MATCHES "unknown reset \"rtas-hcall\"")

  # Numbers and specs that do not parse: bad usage, status 2, "purgatory-tool: " first as always.
  set(not_a_number "\"0xZZ\" is not a number \\(decimal, or hexadecimal with 0x\\)")
  expect_refused(EXIT 2 ARGS "${x86}" --load-address 0xZZ --segment 0x3000000:kernel.bin --entry 0
                 ERROR_MATCHES "--load-address: ${not_a_number}")
  expect_refused(EXIT 2 ARGS "${x86}" --load-address 0x1234000 --segment 0x3000000:kernel.bin --entry 0xZZ
                 ERROR_MATCHES "--entry: ${not_a_number}")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0xZZ:kernel.bin ERROR_MATCHES "segment \"0xZZ:kernel.bin\": ${not_a_number}")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --reg rax=0xZZ
                 ERROR_MATCHES "--reg \"rax=0xZZ\": ${not_a_number}")
  expect_refused(EXIT 2 ARGS "${x86}" --load-address -1 --segment 0x3000000:kernel.bin --entry 0
                 ERROR_MATCHES "\"-1\" is not a number")
  expect_refused(EXIT 2 ARGS "${x86}" --load-address 0x10000000000000000 --segment 0x3000000:kernel.bin --entry 0
                 ERROR_MATCHES "\"0x10000000000000000\" does not fit in 64 bits")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000 ERROR_MATCHES "segment \"0x3000000\" is not ADDRESS:FILE")

  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin:0
                 ERROR_MATCHES "^purgatory-tool: segment \"0x3000000:kernel.bin:0\": a memory size of 0 \\(leave it out")
  # A last part that is no number: the memory size meant, unless a file has the whole name (colons are
  # allowed in file names).
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin:0x10000000000000000
                 ERROR_MATCHES "^purgatory-tool: segment \"0x3000000:kernel.bin:0x10000000000000000\": memory size \"0x10000000000000000\": \"0x10000000000000000\" does not fit in 64 bits\n$")
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin:1e3
                 ERROR_MATCHES "^purgatory-tool: segment \"0x3000000:kernel.bin:1e3\": memory size \"1e3\": \"1e3\" is not a number")
  file(COPY_FILE kernel.bin kernel.bin:1e3)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" ${ok} --segment 0x3000000:kernel.bin:1e3 -o colon.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")

  # Files that cannot be read: status 2, like a missing IMAGE.
  expect_refused(EXIT 2 ARGS "${x86}" ${ok} --segment 0x3000000:no-such-segment.bin
                 ERROR_MATCHES "no-such-segment\\.bin.*cannot open: No such file or directory")
  expect_refused(EXIT 2 ARGS no-such-image.bin ${ok} --segment 0x3000000:kernel.bin
                 ERROR_MATCHES "no-such-image\\.bin.*cannot open: No such file or directory")
  write_zeros(zeros.bin 4096)
  expect_refused(EXIT 1 ARGS zeros.bin ${ok} --segment 0x3000000:kernel.bin
                 ERROR_MATCHES "zeros\\.bin: not a purgatory image \\(no \"PURGATRY\" magic")
  next_kernel_image(bare x86_64 elf)
  expect_refused(EXIT 1 ARGS "${bare}" ${ok} --segment 0x3000000:kernel.bin ERROR_MATCHES "not a purgatory image")

  # The wrong arch.
  expect_refused(EXIT 1 ARGS "${x86}" ${ok} --segment 0x3000000:kernel.bin --arch arm64
                 ERROR_MATCHES "image is for x86_64, not arm64")
  purgatory_image(ppc64le ppc64le bin)
  expect_refused(EXIT 1 ARGS "${ppc64le}" --load-address 0x2a6b0000 --segment 0x8000000:kernel.bin --entry 0 --arch ppc64
                 ERROR_MATCHES "image is for ppc64le, not ppc64")
endfunction()

# What the purgatory itself would refuse, refused by seal with the same words (the same code decides,
# <purgatory/seal_rules.h>): nothing it jumps to or writes may lie outside what it verifies.
function(test_purgatory_rules)
  write_segments()
  purgatory_image(x86 x86_64 bin)
  purgatory_image(arm arm64 bin)
  purgatory_image(ppc ppc64le bin)
  set(x86_segments --load-address 0x1234000 --segment 0x3000000:kernel.bin --segment 0x3100000:data.bin:0x1000)
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json "${x86}" OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  json_get(info "${json}" 0 image info_offset)
  math(EXPR flags_word "0x1234000 + ${info} + 16" OUTPUT_FORMAT HEXADECIMAL)

  # The finding: an 8250 whose registers are the block's own flags word, which the UART's set-up used
  # to overwrite (turning verification off).
  expect_refused(EXIT 1 ARGS "${x86}" ${x86_segments} --entry 0x3000000 --console 8250-mmio,${flags_word},divisor=1
                 ERROR_MATCHES "the console at ${flags_word}: the console's registers overlap the purgatory's own memory")
  expect_refused(EXIT 1 ARGS "${arm}" --load-address 0x4a6b1000 --segment 0x48000000:kernel.bin
                 --segment 0x48100000:data.bin:0x1000 --entry 0x48000000 --console pl011,0x48100000
                 ERROR_MATCHES "the console at 0x48100000: segment 1 at 0x48100000 \\(4096 bytes\\): the console's registers overlap a segment")
  # The entry: 0, inside the purgatory, in memory nothing loads, misaligned on a fixed-width arch.
  foreach(entry IN ITEMS 0 0x1234080 0x5000000)
    expect_refused(EXIT 1 ARGS "${x86}" ${x86_segments} --entry ${entry}
                   ERROR_MATCHES "the next kernel's entry is outside every verified segment")
  endforeach()
  expect_refused(EXIT 1 ARGS "${arm}" --load-address 0x4a6b1000 --segment 0x48000000:kernel.bin --entry 0x48000002
                 ERROR_MATCHES "the next kernel's entry is not 4-byte aligned")
  # ... unless the loader asks to skip verification, which it then does on purpose.
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" ${x86_segments} --entry 0 --skip-verification -o skipped.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  # A reset that could not happen: ppc64 resets through RTAS, which needs its token.
  expect_refused(EXIT 1 ARGS "${ppc}" --load-address 0x2a6b0000 --segment 0x8000000:kernel.bin --entry 0x8000000
                 --on-failure reset ERROR_MATCHES "reset on failure needs the RTAS system-reboot token")
  expect(EXIT 0 COMMAND "${TOOL}" seal "${ppc}" --load-address 0x2a6b0000 --segment 0x8000000:kernel.bin --entry 0x8000000
                        --on-failure reset --reset rtas-hcall,0x2004 -o resets.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  # ppc64's secondary CPUs go where a verified segment is, too.
  expect_refused(EXIT 1 ARGS "${ppc}" --load-address 0x2a6b0000 --segment 0x8000000:kernel.bin --entry 0x8000000
                 --ppc64-secondary-entry 0x60 ERROR_MATCHES "the secondary CPUs' entry is misaligned or outside every verified segment")
  # With its low memory, [0, 0x100) is checked as a segment of its own: 0x60 is then verified.
  expect(EXIT 0 COMMAND "${TOOL}" seal "${ppc}" --load-address 0x2a6b0000 --segment 0x8000000:kernel.bin --entry 0x8000000
                        --ppc64-secondary-entry 0x60 --ppc64-low-memory low-memory.bin -o low.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect low.bin OUTPUT_MATCHES "\n    segment 1  start +0x0 size +256  ${SHA256_RE}  \\(ppc64 low memory\\)\n")

  # A zero-filled tail of 256 TiB would be hashed for days: refused at once.
  file(SIZE kernel.bin kernel_size)
  math(EXPR zeros "0x1000000000000 - ${kernel_size}")
  expect_refused(EXIT 1 ARGS "${x86}" --load-address 0x1234000 --segment 0x3000000:kernel.bin:0x1000000000000 --entry 0x3000000
                 ERROR_MATCHES "segment 0: ${zeros} bytes \\(262144\\.0 GiB\\) of zeros past its ${kernel_size} bytes. at most 1073741824 \\(1\\.0 GiB\\)")

  # With --verify-each-segment a problem is named in the --segment order, not the halves'.
  write_zeros(big.bin 2097152)
  expect_refused(EXIT 1 ARGS "${x86}" --load-address 0x1234000 --segment 0x3000000:big.bin
                 --segment 0x31ff000:kernel.bin --entry 0x3000000 --verify-each-segment
                 ERROR_MATCHES "segments 0 and 1 overlap \\(at 0x3000000 and 0x31ff000\\)")
endfunction()

# The ppc64-only options: checked on ppc64, refused for any other arch.
function(test_ppc64_options)
  write_segments()
  purgatory_image(ppc ppc64 bin)
  purgatory_image(x86 x86_64 bin)
  set(ppc_ok --load-address 0x2a6b0000 --segment 0x8000000:kernel.bin --entry 0x8000000)
  set(x86_ok --load-address 0x1234000 --segment 0x3000000:kernel.bin --entry 0x3000000)

  expect_refused(EXIT 1 ARGS "${ppc}" ${ppc_ok} --ppc64-low-memory kernel.bin
                 ERROR_MATCHES "--ppc64-low-memory: kernel\\.bin must be exactly 256 bytes, not [0-9]+")
  write_zeros(257-bytes.bin 257)
  expect_refused(EXIT 1 ARGS "${ppc}" ${ppc_ok} --ppc64-low-memory 257-bytes.bin ERROR_MATCHES "exactly 256 bytes, not 257")
  write_zeros(8-kib.bin 8192)
  expect_refused(EXIT 1 ARGS "${ppc}" ${ppc_ok} --ppc64-low-memory 8-kib.bin ERROR_MATCHES "exactly 256 bytes, not 8192")
  # Status 2 for an unreadable file here too, as for the segment file in test_refusals.
  expect_refused(EXIT 2 ARGS "${ppc}" ${ppc_ok} --ppc64-low-memory no-such-file.bin
                 ERROR_MATCHES "no-such-file\\.bin.*cannot open")
  expect_refused(EXIT 2 ARGS "${ppc}" ${ppc_ok} --ppc64-secondary-entry 0xZZ
                 ERROR_MATCHES "--ppc64-secondary-entry: \"0xZZ\" is not a number")

  set(not_ppc64 "cannot seal .*purgatory\\.bin: ppc64 settings given for an x86_64 image")
  expect_refused(EXIT 1 ARGS "${x86}" ${x86_ok} --ppc64-low-memory low-memory.bin ERROR_MATCHES "${not_ppc64}")
  expect_refused(EXIT 1 ARGS "${x86}" ${x86_ok} --ppc64-secondary-entry 0x3000060 ERROR_MATCHES "${not_ppc64}")
  expect_refused(EXIT 1 ARGS "${x86}" ${x86_ok} --ppc64-set-fdt-boot-cpu ERROR_MATCHES "${not_ppc64}")
  purgatory_image(arm arm64 bin)
  expect_refused(EXIT 1 ARGS "${arm}" --load-address 0x4a6b1000 --segment 0x48000000:kernel.bin --entry 0
                 --ppc64-set-fdt-boot-cpu ERROR_MATCHES "ppc64 settings given for an arm64 image")
endfunction()

# "--ppc64-secondary-entry 0" (0 keeps the secondary CPUs held) is a ppc64 setting like any other value
# and must be refused for an x86_64 image too.
function(test_ppc64_secondary_entry_zero_on_x86_64)
  write_segments()
  purgatory_image(x86 x86_64 bin)
  expect_refused(EXIT 1 ARGS "${x86}" --load-address 0x1234000 --segment 0x3000000:kernel.bin --entry 0x3000000
                 --ppc64-secondary-entry 0 ERROR_MATCHES "ppc64 settings given for an x86_64 image")
endfunction()

# The output file: written whole or not at all.
function(test_outputs)
  write_segments()
  purgatory_image(x86 x86_64 bin)
  set(ok --load-address 0x1234000 --segment 0x3000000:kernel.bin --entry 0x3000000)

  # A refused seal leaves an existing output as it was, and no temporary file beside it.
  file(WRITE precious.bin "an earlier output that a failed seal must not touch\n")
  file(SHA256 precious.bin before)
  foreach(case IN ITEMS "2|--console uart,1" "1|--segment 0x1234000:data.bin" "1|--reg x9=1"
                        "2|--segment 0x5000000:missing.bin")
    string(REPLACE "|" ";" case "${case}")
    list(GET case 0 status)
    list(GET case 1 bad)
    separate_arguments(bad UNIX_COMMAND "${bad}")
    expect(EXIT ${status} COMMAND "${TOOL}" seal "${x86}" ${ok} ${bad} -o precious.bin ERROR_MATCHES "." OUTPUT_MATCHES "^$")
    file(SHA256 precious.bin after)
    expect_equal("${after}" "${before}" "SHA-256 of precious.bin after a refused seal (${bad})")
    expect_no_temporary_files()
  endforeach()

  # A successful seal replaces it, keeping its permissions.
  file(CHMOD precious.bin PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" ${ok} -o precious.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --brief precious.bin OUTPUT_MATCHES "\nx86_64 .* precious\\.bin\n$")
  expect(EXIT 0 COMMAND stat -c %a precious.bin OUTPUT_MATCHES "^640\n$")
  expect_no_temporary_files()
  file(SHA256 precious.bin sealed)

  # The repeatable options take one value each, so an IMAGE after them is the image, not one more value.
  expect(EXIT 0 COMMAND "${TOOL}" seal -o after-options.bin --load-address 0x1234000 --entry 0x3000000
                        --reg rsi=0x3000000 --segment 0x3000000:kernel.bin "${x86}" OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  file(SHA256 after-options.bin after_options)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" ${ok} --reg rsi=0x3000000 -o reg.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  file(SHA256 reg.bin reg)
  expect_equal("${after_options}" "${reg}" "SHA-256 of an image sealed with IMAGE after --segment")

  # Sealing in place (output = input) is allowed, and gives what sealing a copy gives.
  file(COPY_FILE "${x86}" in-place.bin)
  expect(EXIT 0 COMMAND "${TOOL}" seal in-place.bin ${ok} -o in-place.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  file(SHA256 in-place.bin in_place)
  expect_equal("${in_place}" "${sealed}" "SHA-256 of an image sealed in place")

  # "-" is standard output; a file named "-" is never created.
  list(JOIN ok " " ok_text)
  expect(EXIT 0 COMMAND sh -c "\"$1\" seal \"$2\" ${ok_text} -o - > from-stdout.bin" sh "${TOOL}" "${x86}"
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  file(SHA256 from-stdout.bin from_stdout)
  expect_equal("${from_stdout}" "${sealed}" "SHA-256 of the image sealed to standard output")
  expect_no_file("${WORK_DIR}/-")
  # So is /dev/stdout, and any /dev/fd/N however spelt: written as the shell opened them (here for
  # appending), never reopened or renamed over the file they lead to; one that is not open is named.
  file(READ from-stdout.bin sealed_hex HEX)
  string(HEX "before\n" before_hex)
  string(HEX "after\n" after_hex)
  foreach(case IN ITEMS 1|/dev/stdout 7|/dev/fd/7 7|/dev//fd/7 7|/proc/self/../self/fd/7 7|/proc/thread-self/fd/7)
    string(REPLACE "|" ";" case "${case}")
    list(GET case 0 fd)
    list(GET case 1 spelling)
    file(WRITE appended.log "before\n")
    expect(EXIT 0 COMMAND sh -c "exec ${fd}>> appended.log; \"$1\" seal \"$2\" ${ok_text} -o ${spelling} && echo after >&${fd}"
                          sh "${TOOL}" "${x86}"
           OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
    file(READ appended.log appended_hex HEX)
    expect_equal("${appended_hex}" "${before_hex}${sealed_hex}${after_hex}" "appended.log after seal -o ${spelling}")
  endforeach()
  expect(EXIT 2 COMMAND sh -c "exec 9>&-; exec \"$1\" seal \"$2\" ${ok_text} -o /dev/fd/9" sh "${TOOL}" "${x86}"
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^purgatory-tool: /dev/fd/9: descriptor 9 is not open\n$")

  # A symbolic link is written through: the link stays, the file it names gets the bytes.
  file(WRITE link-target.bin "old\n")
  file(CREATE_LINK link-target.bin a-link.bin SYMBOLIC)
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" ${ok} -o a-link.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND readlink a-link.bin OUTPUT_MATCHES "^link-target\\.bin\n$")
  file(SHA256 link-target.bin through_link)
  expect_equal("${through_link}" "${sealed}" "SHA-256 of the file a symbolic link output names")
  # A dangling one is refused, as cp refuses it.
  file(CREATE_LINK nowhere.bin dangling.bin SYMBOLIC)
  expect(EXIT 2 COMMAND "${TOOL}" seal "${x86}" ${ok} -o dangling.bin OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: dangling\\.bin: is a dangling symbolic link")
  expect_no_file("${WORK_DIR}/nowhere.bin")
  # A loop of links is named as one.
  file(CREATE_LINK loop-b.bin loop-a.bin SYMBOLIC)
  file(CREATE_LINK loop-a.bin loop-b.bin SYMBOLIC)
  expect(EXIT 2 COMMAND "${TOOL}" seal "${x86}" ${ok} -o loop-a.bin OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: loop-a\\.bin: a loop of symbolic links")

  # A FIFO is written through, never replaced.
  expect(EXIT 0 COMMAND mkfifo a-fifo ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND sh -c "cat a-fifo > from-fifo.bin & \"$1\" seal \"$2\" ${ok_text} -o a-fifo && wait" sh "${TOOL}" "${x86}"
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  file(SHA256 from-fifo.bin from_fifo)
  expect_equal("${from_fifo}" "${sealed}" "SHA-256 of what was read from the FIFO")
  expect(EXIT 0 COMMAND test -p a-fifo ERROR_MATCHES "^$")

  # A device node is written through too: made here, never under /dev (the null device's numbers;
  # making it needs root, which the tests run as).
  expect(EXIT 0 COMMAND mknod a-null-device c 1 3 ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" ${ok} -o a-null-device OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND test -c a-null-device ERROR_MATCHES "^$")
  expect_no_temporary_files()

  # An output that cannot be written: status 2, the user's path named, nothing left behind.
  expect(EXIT 2 COMMAND "${TOOL}" seal "${x86}" ${ok} -o no-such-dir/out.bin OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: no-such-dir/out\\.bin: cannot create a file in its directory: No such file")
  expect_no_file("${WORK_DIR}/no-such-dir")
  file(MAKE_DIRECTORY a-directory)
  expect(EXIT 2 COMMAND "${TOOL}" seal "${x86}" ${ok} -o a-directory ERROR_MATCHES "^purgatory-tool: a-directory: is a directory\n$")
  expect_no_temporary_files()
endfunction()

run_group()
