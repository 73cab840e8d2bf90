# purgatory-tool inspect: text for people, --json for scripts, --brief for tables.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

function(test_text)
  foreach(arch IN LISTS ARCHES)
    purgatory_image(bin ${arch} bin)
    purgatory_image(elf ${arch} elf)
    file(SIZE "${bin}" size)
    byte_order_of(order ${arch})
    regex_quote(bin_re "${bin}")
    set(header_fields
        "arch +${arch}\n" "byte_order +${order}\n" "abi_version +${ABI_MAJOR}\\.${ABI_MINOR}\n" "header_size +128\n"
        "file_size +${size}\n" "entry_offset +0x80\n" "info_offset +0x[0-9a-f]+\n" "info_size +2376\n"
        "sealed +false\n" "segment_count +0\n" "result_status +0\n" "result_digest_engine +0\n"
        "result_digest_flags +0x0\n" "unsealed_sha256 +${SHA256_RE}\n")
    expect(EXIT 0 COMMAND "${TOOL}" inspect "${bin}"
           OUTPUT_MATCHES "^${bin_re}:\n  image header\n" ${header_fields} ERROR_MATCHES "^$")
    # The ELF adds its own section before the same header.
    expect(EXIT 0 COMMAND "${TOOL}" inspect "${elf}"
           OUTPUT_MATCHES "\n  ELF\n.*arch +${arch}\n.*relocations +0\n.*LOAD +offset .*RWX\n.*  image header\n"
                          ${header_fields})
  endforeach()
endfunction()

function(test_json)
  foreach(arch IN LISTS ARCHES)
    purgatory_image(bin ${arch} bin)
    purgatory_image(elf ${arch} elf)
    file(SIZE "${bin}" bin_size)
    file(SIZE "${elf}" elf_size)
    file(SHA256 "${bin}" bin_sha256)

    expect(EXIT 0 COMMAND "${TOOL}" inspect --json "${bin}" OUTPUT_VARIABLE json OUTPUT_MATCHES "^{" ERROR_MATCHES "^$")
    json_get(value "${json}" file)
    expect_equal("${value}" "${bin}" "${arch} .bin: file")
    json_get(value "${json}" size)
    expect_equal("${value}" "${bin_size}" "${arch} .bin: size")
    json_get(value "${json}" image arch)
    expect_equal("${value}" "${arch}" "${arch} .bin: image.arch")
    json_get(value "${json}" image file_size)
    expect_equal("${value}" "${bin_size}" "${arch} .bin: image.file_size")
    json_get(value "${json}" image entry_offset)
    expect_equal("${value}" "0x80" "${arch} .bin: image.entry_offset")
    json_get(value "${json}" image sealed)
    expect_equal("${value}" "OFF" "${arch} .bin: image.sealed")
    json_get(value "${json}" image segment_count)
    expect_equal("${value}" "0" "${arch} .bin: image.segment_count")
    # As built, the loader's part of purgatory_info is zero: the unsealed digest is the file's.
    json_get(value "${json}" image unsealed_sha256)
    expect_equal("${value}" "${bin_sha256}" "${arch} .bin: image.unsealed_sha256")
    string(JSON ignored ERROR_VARIABLE no_elf TYPE "${json}" elf)
    if(NOT no_elf)
      message(SEND_ERROR "FAILED: ${arch} .bin: a flat image has an \"elf\" member")
    endif()

    expect(EXIT 0 COMMAND "${TOOL}" inspect --json "${elf}" OUTPUT_VARIABLE json OUTPUT_MATCHES "^{")
    json_get(value "${json}" size)
    expect_equal("${value}" "${elf_size}" "${arch} .elf: size")
    json_get(value "${json}" elf arch)
    expect_equal("${value}" "${arch}" "${arch} .elf: elf.arch")
    json_get(value "${json}" elf relocations)
    expect_equal("${value}" "0" "${arch} .elf: elf.relocations")
    json_get(value "${json}" elf problems)
    expect_equal("${value}" "[]" "${arch} .elf: elf.problems")
    json_get(value "${json}" elf program_headers 0 type)
    expect_equal("${value}" "LOAD" "${arch} .elf: elf.program_headers[0].type")
    # The image inside the ELF is the .bin.
    json_get(value "${json}" image file_size)
    expect_equal("${value}" "${bin_size}" "${arch} .elf: image.file_size")
    json_get(value "${json}" image unsealed_sha256)
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
         OUTPUT_MATCHES "^text\\.txt:\n  image: not a purgatory image .*no \"PURGATRY\" magic at offset 0")
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json text.txt OUTPUT_VARIABLE json OUTPUT_MATCHES "\"image_error\"")
  json_get(value "${json}" image_error)
  expect_equal("${value}" "not a purgatory image (no \"PURGATRY\" magic at offset 0)" "text.txt: image_error")
  # A bare ELF is described as an ELF, but it is not an image.
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json "${bare}" OUTPUT_VARIABLE json OUTPUT_MATCHES "\"image_error\"")
  json_get(value "${json}" elf arch)
  expect_equal("${value}" "arm64" "bare next-kernel.elf: elf.arch")
  # A broken ELF gives an "error" member.
  copy_prefix("${good}" truncated.bin 64)
  purgatory_image(elf x86_64 elf)
  copy_prefix("${elf}" truncated.elf 64)
  expect(EXIT 1 COMMAND "${TOOL}" inspect --json truncated.elf OUTPUT_VARIABLE json OUTPUT_MATCHES "\"error\"")
  json_get(value "${json}" error)
  expect_equal("${value}" "ELF file truncated: section header 0 is cut off" "truncated.elf: error")
  expect(EXIT 1 COMMAND "${TOOL}" inspect --brief truncated.bin OUTPUT_MATCHES "\n\\? +- +- +- +-  truncated\\.bin\n$")

  # A bad file among good ones: all are described, the status is 1.
  expect(EXIT 1 COMMAND "${TOOL}" inspect --brief "${good}" text.txt
         OUTPUT_MATCHES "\nx86_64 .*\n\\? +- +- +- +-  text\\.txt\n$")
  expect(EXIT 2 COMMAND "${TOOL}" inspect "${good}" missing.bin OUTPUT_MATCHES "arch +x86_64"
         ERROR_MATCHES "missing\\.bin.*cannot open")

  expect(EXIT 2 COMMAND "${TOOL}" inspect --json --brief "${good}" OUTPUT_MATCHES "^$" ERROR_MATCHES "--json excludes --brief")
  expect(EXIT 2 COMMAND "${TOOL}" inspect --brief --json "${good}" ERROR_MATCHES "excludes")
endfunction()

# JSON strings must be UTF-8, but what inspect describes comes from the file: an ELF section name is any
# bytes. Here the section name table of a real ELF is also marked as a relocation section (SHT_RELA), so
# inspect lists it among the problems, by name; in the second copy that name starts with the byte 0xff.
# inspect --json must still describe both (a valid image, so status 0) and never abort.
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
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json rela.elf OUTPUT_VARIABLE json
         OUTPUT_MATCHES "relocation entries in \\.shstrtab" ERROR_MATCHES "^$")
  expect(EXIT 1 COMMAND "${TOOL}" check bad-name.elf ERROR_MATCHES "relocation entries in .shstrtab")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json bad-name.elf OUTPUT_VARIABLE json
         OUTPUT_MATCHES "relocation entries in .*shstrtab" ERROR_MATCHES "^$")
  string(JSON problem ERROR_VARIABLE error GET "${json}" elf problems 0)
  if(error)
    message(SEND_ERROR "FAILED: inspect --json bad-name.elf did not print JSON with the problem (${error})")
  endif()
endfunction()

run_group()
