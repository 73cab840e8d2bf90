# SPDX-License-Identifier: MIT
# purgatory-tool digest (an image's SHA-256 as built, what to sign) and sha256 (any file's, printed as
# sha256sum prints it).
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

function(test_digest)
  foreach(arch IN LISTS ARCHES)
    purgatory_image(elf ${arch} elf)
    purgatory_image(bin ${arch} bin)
    regex_quote(elf_re "${elf}")
    regex_quote(bin_re "${bin}")
    expect(EXIT 0 COMMAND "${TOOL}" digest "${elf}" "${bin}" OUTPUT_VARIABLE first
           OUTPUT_MATCHES "^(${SHA256_RE})  ${elf_re}\n(${SHA256_RE})  ${bin_re}\n$" ERROR_MATCHES "^$")
    string(SUBSTRING "${first}" 0 64 elf_digest)
    string(REGEX MATCH "\n(${SHA256_RE})" ignored "${first}")
    expect_equal("${CMAKE_MATCH_1}" "${elf_digest}" "${arch}: digest of the .bin, against the .elf's")
    # As built, the loader-filled part of purgatory_info is zero: the digest is the file's SHA-256.
    file(SHA256 "${bin}" file_sha256)
    expect_equal("${elf_digest}" "${file_sha256}" "${arch}: digest, against the .bin's SHA-256")
    # Stable.
    expect(EXIT 0 COMMAND "${TOOL}" digest "${elf}" "${bin}" OUTPUT_VARIABLE second OUTPUT_MATCHES "^${elf_digest}  ")
    expect_equal("${second}" "${first}" "${arch}: a second digest run's output")
  endforeach()

  purgatory_image(good ppc64le bin)
  next_kernel_image(bare ppc64le elf)
  write_zeros(zeros.bin 1000)
  expect(EXIT 1 COMMAND "${TOOL}" digest zeros.bin "${good}" OUTPUT_MATCHES "^${SHA256_RE}  .*purgatory\\.bin\n$"
         ERROR_MATCHES "^purgatory-tool: zeros\\.bin: not a purgatory image \\(no \"PURGATRY\" magic at offset 0\\)\n$")
  expect(EXIT 1 COMMAND "${TOOL}" digest "${bare}" OUTPUT_MATCHES "^$" ERROR_MATCHES "next-kernel\\.elf: not a purgatory image")
  expect(EXIT 2 COMMAND "${TOOL}" digest missing.bin "${good}" OUTPUT_MATCHES "^${SHA256_RE}  "
         ERROR_MATCHES "missing\\.bin.*cannot open")
endfunction()

function(test_sha256)
  # Lengths around SHA-256's 64-byte blocks and its 55/56-byte padding boundary, NUL bytes, an image.
  # (Empty files and an empty standard input: inputs.cmake.)
  file(WRITE abc.txt "abc")
  foreach(length IN ITEMS 55 56 63 64 65 1000)
    string(REPEAT "a" ${length} text)
    file(WRITE a${length}.txt "${text}")
  endforeach()
  write_bytes(nuls.bin "00000000ff00")
  purgatory_image(image arm64 bin)
  file(COPY_FILE "${image}" image.bin)
  set(files abc.txt a55.txt a56.txt a63.txt a64.txt a65.txt a1000.txt nuls.bin image.bin)

  # The FIPS 180-2 example.
  expect(EXIT 0 COMMAND "${TOOL}" sha256 abc.txt ERROR_MATCHES "^$"
         OUTPUT_MATCHES "^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc\\.txt\n$")

  # Byte for byte what sha256sum prints.
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" ${files} WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_VARIABLE expected
                  RESULT_VARIABLE status)
  expect_equal("${status}" "0" "sha256sum's exit status")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 ${files} OUTPUT_VARIABLE actual OUTPUT_MATCHES "^${SHA256_RE}  abc\\.txt\n")
  expect_equal("${actual}" "${expected}" "sha256 output, against sha256sum's")
  foreach(file IN LISTS files)
    file(SHA256 ${file} cmake_sha256)
    if(NOT actual MATCHES "(^|\n)${cmake_sha256}  ${file}\n")
      message(SEND_ERROR "FAILED: CMake's SHA-256 of ${file} is ${cmake_sha256}, not what sha256 printed")
    endif()
  endforeach()

  # "-" is standard input, alone or among files.
  file(SHA256 image.bin image_sha256)
  expect(EXIT 0 COMMAND "${TOOL}" sha256 - INPUT_FILE "${WORK_DIR}/image.bin" OUTPUT_MATCHES "^${image_sha256}  -\n$")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 abc.txt - nuls.bin INPUT_FILE "${WORK_DIR}/image.bin"
         OUTPUT_MATCHES "^ba7816bf[0-9a-f]+  abc\\.txt\n${image_sha256}  -\n${SHA256_RE}  nuls\\.bin\n$")

  # Unreadable files: status 2, the others still printed.
  expect(EXIT 2 COMMAND "${TOOL}" sha256 missing.txt abc.txt OUTPUT_MATCHES "^ba7816bf[0-9a-f]+  abc\\.txt\n$"
         ERROR_MATCHES "missing\\.txt.*cannot open: No such file or directory")
  expect(EXIT 2 COMMAND "${TOOL}" sha256 "${WORK_DIR}" OUTPUT_MATCHES "^$" ERROR_MATCHES "is a directory")
endfunction()

# --json on digest and sha256: one object per file, a digest or an error.
function(test_json)
  purgatory_image(bin ppc64 bin)
  file(WRITE abc.txt "abc")
  expect(EXIT 1 COMMAND "${TOOL}" digest --json "${bin}" abc.txt OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  file(SHA256 "${bin}" bin_sha256)
  json_get(value "${json}" 0 sha256)
  expect_equal("${value}" "${bin_sha256}" "digest --json [0].sha256")
  json_get(value "${json}" 1 error)
  expect_equal("${value}" "not a purgatory image (no \"PURGATRY\" magic at offset 0)" "digest --json [1].error")
  expect(EXIT 2 COMMAND "${TOOL}" sha256 --json abc.txt missing.txt OUTPUT_VARIABLE json OUTPUT_MATCHES "^\\[")
  json_get(value "${json}" 0 file)
  expect_equal("${value}" "abc.txt" "sha256 --json [0].file")
  json_get(value "${json}" 0 sha256)
  expect_equal("${value}" "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" "sha256 --json [0].sha256")
  json_get(value "${json}" 1 error)
  expect_equal("${value}" "missing.txt: cannot open: No such file or directory" "sha256 --json [1].error")
endfunction()

# File names as GNU sha256sum writes them: a backslash or a line break escaped, and the line marked
# with a leading backslash, so that every line reads back.
function(test_escaped_names)
  file(WRITE "back\\slash.txt" "abc")
  file(WRITE "new\nline.txt" "abc")
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" "back\\slash.txt" "new\nline.txt" WORKING_DIRECTORY "${WORK_DIR}"
                  OUTPUT_VARIABLE expected RESULT_VARIABLE status)
  expect_equal("${status}" "0" "sha256sum's exit status")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 "back\\slash.txt" "new\nline.txt" OUTPUT_VARIABLE actual
         OUTPUT_MATCHES "^\\\\ba7816bf" ERROR_MATCHES "^$")
  expect_equal("${actual}" "${expected}" "sha256 output for escaped names, against sha256sum's")
endfunction()

run_group()
