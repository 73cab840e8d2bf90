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

  # Standard input named twice reads on where the first left off, as sha256sum does (the second is
  # empty), also from a file larger than a chunk: two lanes must not share its one offset.
  string(REPEAT "0123456789abcdef" 196608 text)
  file(WRITE big.txt "${text}")
  file(SHA256 big.txt big_sha256)
  set(empty_sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855)
  expect(EXIT 0 COMMAND "${TOOL}" sha256 - - INPUT_FILE "${WORK_DIR}/big.txt"
         OUTPUT_MATCHES "^${big_sha256}  -\n${empty_sha256}  -\n$")
  # FIFOs whose writer fills one after the other: the second is not opened (which would wait for a
  # writer that waits for us) before the first is read.
  # (The writer is bounded too and holds none of the test's pipes, so a failure cannot hang the test.)
  expect(EXIT 0 COMMAND sh -c "mkfifo f1 f2 || exit 1; timeout 20 sh -c 'cat big.txt > f1; cat abc.txt > f2' </dev/null >/dev/null 2>&1 & exec timeout 20 \"$1\" sha256 f1 f2"
                        sh "${TOOL}"
         OUTPUT_MATCHES "^${big_sha256}  f1\nba7816bf[0-9a-f]+  f2\n$")

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

# Files larger than a chunk, hashed several at a time (two lanes where the CPU has them), against
# sha256sum byte for byte: random bytes with tails that are not a whole block, and a sparse file; "-" read
# from a pipe.
function(test_large_files)
  random_file(random-a.bin 67108869)   # 64 MiB + 5
  random_file(random-b.bin 8388608)    # 8 MiB
  random_file(random-c.bin 1048635)    # 1 MiB + 59
  sparse_file(sparse.bin 67108864)     # 64 MiB of zeros
  set(files random-a.bin random-b.bin sparse.bin random-c.bin)
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" ${files} WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_VARIABLE expected
                  RESULT_VARIABLE status)
  expect_equal("${status}" "0" "sha256sum's exit status")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 ${files} OUTPUT_VARIABLE actual OUTPUT_MATCHES "^${SHA256_RE}  random-a\\.bin\n"
         ERROR_MATCHES "^$")
  expect_equal("${actual}" "${expected}" "sha256 of four large files, against sha256sum's")

  # Standard input from a pipe, which cannot be mapped or sized: read in chunks as it comes.
  string(REGEX MATCH "^(${SHA256_RE})" a_sha256 "${expected}")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E cat random-a.bin COMMAND "${TOOL}" sha256 -
                  WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_VARIABLE piped RESULT_VARIABLE status)
  expect_equal("${status}" "0" "sha256 - from a pipe: exit status")
  expect_equal("${piped}" "${a_sha256}  -\n" "sha256 - from a pipe")

  # A /proc file reports size 0 but has bytes; /proc/self/mem fails to read at offset 0: a message
  # naming it, status 2, and the other files still hashed.
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" /proc/version OUTPUT_VARIABLE expected)
  expect(EXIT 0 COMMAND "${TOOL}" sha256 /proc/version OUTPUT_VARIABLE actual ERROR_MATCHES "^$")
  expect_equal("${actual}" "${expected}" "sha256 of /proc/version, against sha256sum's")
  expect(EXIT 2 COMMAND "${TOOL}" sha256 /proc/self/mem random-c.bin OUTPUT_MATCHES "^${SHA256_RE}  random-c\\.bin\n$"
         ERROR_MATCHES "^purgatory-tool: /proc/self/mem: read error: [^\n]+\n$")
endfunction()

# Memory does not grow with the input: a 512 MiB file, two 128 MiB files, and a 128 MiB segment sealed,
# each under 64 MiB of peak resident memory (GNU time's %M, KiB), so none of them was read whole.
function(test_peak_memory)
  sparse_file(512m.bin 536870912)
  sparse_file(128m-a.bin 134217728)
  sparse_file(128m-b.bin 134217728)
  set(zeros_512m 9acca8e8c22201155389f65abbf6bc9723edc7384ead80503839f49dcc56d767)
  set(zeros_128m 254bcc3fc4f27172636df4bf32de9f107f620d559b20d760197e452b97453917)
  expect_peak_memory(65536 OUTPUT_MATCHES "^${zeros_512m}  512m\\.bin\n$" COMMAND "${TOOL}" sha256 512m.bin)
  expect_peak_memory(65536 OUTPUT_MATCHES "^${zeros_128m}  128m-a\\.bin\n${zeros_128m}  128m-b\\.bin\n$"
                     COMMAND "${TOOL}" sha256 128m-a.bin 128m-b.bin)
  file(WRITE sums.txt "${zeros_128m}  128m-a.bin\n")
  expect_peak_memory(65536 OUTPUT_MATCHES "^128m-a\\.bin: OK\n$" COMMAND "${TOOL}" sha256 --check sums.txt)
  purgatory_image(x86 x86_64 bin)
  expect_peak_memory(65536 OUTPUT_MATCHES "^$"
                     COMMAND "${TOOL}" seal "${x86}" --load-address 0x1234000 --segment 0x40000000:128m-a.bin
                                  --entry 0x40000000 -o sealed.bin)
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json sealed.bin OUTPUT_MATCHES "\"sha256\": \"${zeros_128m}\"")
endfunction()

# sha256 --check reads sha256sum's output and prints its verdicts as sha256sum -c does, byte for byte.
function(test_check)
  file(WRITE abc.txt "abc")
  file(WRITE "back\\slash.txt" "abc")
  file(WRITE "new\nline.txt" "abc")
  random_file(large.bin 3145791)  # 3 MiB + 63: several chunks, two lanes with the others
  set(files abc.txt "back\\slash.txt" "new\nline.txt" large.bin)
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" ${files} WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_FILE sums.txt)
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" --binary abc.txt WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_VARIABLE binary)
  file(APPEND sums.txt "${binary}")

  # All OK: the same verdicts as sha256sum -c, nothing on stderr.
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" -c sums.txt WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_VARIABLE expected)
  expect(EXIT 0 COMMAND "${TOOL}" sha256 -c sums.txt OUTPUT_VARIABLE actual
         OUTPUT_MATCHES "^abc\\.txt: OK\nback\\\\slash\\.txt: OK\n\\\\new\\\\nline\\.txt: OK\nlarge\\.bin: OK\n" ERROR_MATCHES "^$")
  expect_equal("${actual}" "${expected}" "sha256 -c output, against sha256sum -c's")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 --check - INPUT_FILE "${WORK_DIR}/sums.txt" OUTPUT_MATCHES "^abc\\.txt: OK\n"
         ERROR_MATCHES "^$")

  # A changed file, a missing one, a directory and a malformed line: each named, exit status 1.
  file(COPY_FILE sums.txt bad-sums.txt)
  file(APPEND bad-sums.txt "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae  abc.txt\n")
  file(APPEND bad-sums.txt "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  missing.txt\n")
  file(APPEND bad-sums.txt "not a checksum line\n")
  file(MAKE_DIRECTORY directory)
  file(APPEND bad-sums.txt "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  directory\n")
  execute_process(COMMAND "${SHA256SUM_PROGRAM}" -c bad-sums.txt WORKING_DIRECTORY "${WORK_DIR}"
                  OUTPUT_VARIABLE expected ERROR_QUIET)
  expect(EXIT 1 COMMAND "${TOOL}" sha256 -c bad-sums.txt OUTPUT_VARIABLE actual
         OUTPUT_MATCHES "\nabc\\.txt: FAILED\nmissing\\.txt: FAILED open or read\ndirectory: FAILED open or read\n$"
         ERROR_MATCHES "purgatory-tool: missing\\.txt: cannot open: No such file or directory\n"
                       "purgatory-tool: bad-sums\\.txt:8: not a sha256sum line"
                       "purgatory-tool: directory: is a directory\n"
                       "WARNING: 1 line is improperly formatted\n"
                       "WARNING: 2 listed files could not be read\n"
                       "WARNING: 1 computed checksum did NOT match\n$")
  expect_equal("${actual}" "${expected}" "sha256 -c output with failures, against sha256sum -c's")

  # Nothing to check, an unreadable list, and --json with --check.
  file(WRITE garbage.txt "garbage\n")
  expect(EXIT 1 COMMAND "${TOOL}" sha256 -c garbage.txt OUTPUT_MATCHES "^$"
         ERROR_MATCHES "garbage\\.txt:1: not a sha256sum line" "garbage\\.txt: no properly formatted SHA-256 checksum lines found")
  expect(EXIT 2 COMMAND "${TOOL}" sha256 -c missing-sums.txt OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: missing-sums\\.txt: cannot open: No such file or directory\n$")
  expect(EXIT 2 COMMAND "${TOOL}" sha256 -c --json sums.txt OUTPUT_MATCHES "^$" ERROR_MATCHES "--json excludes --check")
  # A line too long for any file name ends the list, after the verdicts of the lines before it, in order.
  string(REPEAT "x" 70000 long_name)
  file(READ sums.txt long_sums)
  file(WRITE long-line.txt "${long_sums}0000000000000000000000000000000000000000000000000000000000000000  ${long_name}\n")
  expect(EXIT 2 COMMAND sh -c "exec \"$1\" sha256 -c long-line.txt 2>&1" sh "${TOOL}"
         OUTPUT_MATCHES "^abc\\.txt: OK\n.*large\\.bin: OK\nabc\\.txt: OK\npurgatory-tool: long-line\\.txt: line 6 is longer than 65536 bytes: not a checksum list\n$")
endfunction()

# random_file(<path> <bytes>)
function(random_file path bytes)
  copy_prefix(/dev/urandom "${path}" ${bytes})
endfunction()

# sparse_file(<path> <bytes>): zeros that take no disk space and no time to write.
function(sparse_file path bytes)
  execute_process(COMMAND "${DD_PROGRAM}" "of=${path}" bs=1 count=0 seek=${bytes} status=none RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "dd failed writing ${path}")
  endif()
endfunction()

# expect_peak_memory(<KiB> OUTPUT_MATCHES <regex> COMMAND <program> <arg>...): exit status 0, the output,
# and a peak resident set below <KiB> as GNU time measures it (scripts/setup.sh --tests installs time).
function(expect_peak_memory limit)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "OUTPUT_MATCHES;COMMAND")
  find_program(GNU_TIME_PROGRAM time PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
  expect(EXIT 0 OUTPUT_MATCHES "${arg_OUTPUT_MATCHES}" ERROR_MATCHES "^$"
         COMMAND "${GNU_TIME_PROGRAM}" -f %M -o peak.txt ${arg_COMMAND})
  file(STRINGS peak.txt peak LIMIT_COUNT 1)
  describe_command(shown ${arg_COMMAND})
  if(NOT peak MATCHES "^[0-9]+$" OR NOT peak LESS limit)
    message(SEND_ERROR "FAILED: ${shown}: peak resident memory ${peak} KiB, expected under ${limit} KiB")
  else()
    message(STATUS "ok: ${shown}: peak resident memory ${peak} KiB (under ${limit})")
  endif()
endfunction()

run_group()
