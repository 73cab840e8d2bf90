# SPDX-License-Identifier: MIT
# Empty inputs, for every command that reads a file: an empty file is a valid input to read (not an
# image, an empty segment, a file with a digest), and an empty standard input too. In the sanitizer
# build this also checks that reading nothing is well-defined.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

set(EMPTY_SHA256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855)

function(test_empty)
  file(WRITE empty.bin "")
  purgatory_image(x86 x86_64 bin)
  purgatory_image(ppc ppc64 bin)
  set(no_magic "empty\\.bin: not a purgatory image \\(no \"PURGATRY\" magic at offset 0\\)")

  expect(EXIT 0 COMMAND "${TOOL}" sha256 empty.bin OUTPUT_MATCHES "^${EMPTY_SHA256}  empty\\.bin\n$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 - INPUT_FILE "${WORK_DIR}/empty.bin" OUTPUT_MATCHES "^${EMPTY_SHA256}  -\n$"
         ERROR_MATCHES "^$")

  expect(EXIT 1 COMMAND "${TOOL}" check empty.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "^${no_magic}\n$")
  expect(EXIT 1 COMMAND "${TOOL}" inspect empty.bin OUTPUT_MATCHES "^empty\\.bin:\n  error: not a purgatory image")
  expect(EXIT 1 COMMAND "${TOOL}" digest empty.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "${no_magic}")
  expect(EXIT 1 COMMAND "${TOOL}" embed empty.bin --name blob -o blob.h ERROR_MATCHES "${no_magic}")
  expect(EXIT 1 COMMAND "${TOOL}" seal empty.bin --load-address 0x1234000 --segment 0x3000000:empty.bin --entry 0
                        -o sealed.bin
         ERROR_MATCHES "${no_magic}")

  # An empty segment is refused, unless a memory size makes it a zero-filled one.
  expect(EXIT 1 COMMAND "${TOOL}" seal "${x86}" --load-address 0x1234000 --segment 0x3000000:empty.bin --entry 0
                        -o sealed.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "segment 0 at 0x3000000 is empty")
  expect(EXIT 0 COMMAND "${TOOL}" seal "${x86}" --load-address 0x1234000 --segment 0x3000000:empty.bin:0x1000
                        --entry 0x3000000 -o sealed.bin
         OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" inspect --json sealed.bin OUTPUT_MATCHES "\"segment_count\": 1,")
  expect(EXIT 1 COMMAND "${TOOL}" seal "${ppc}" --load-address 0x2a6b0000 --segment 0x8000000:empty.bin:0x10 --entry 0
                        --ppc64-low-memory empty.bin -o sealed-ppc64.bin
         ERROR_MATCHES "--ppc64-low-memory: empty\\.bin must be exactly 256 bytes, not 0")
  expect_no_file("${WORK_DIR}/blob.h" "${WORK_DIR}/sealed-ppc64.bin")
endfunction()

# A 6 GiB file (sparse: nothing is written) where an image is expected: refused from its size, before a
# byte is read, by every command that reads an image whole. Read, it would take a minute and 6 GiB.
function(test_huge)
  execute_process(COMMAND "${DD_PROGRAM}" of=huge.bin bs=1 count=0 seek=6442450944 status=none
                  RESULT_VARIABLE status)
  expect_equal("${status}" "0" "dd's exit status writing a sparse 6 GiB file")
  purgatory_image(x86 x86_64 bin)
  set(refused "^purgatory-tool: huge\\.bin: 6\\.0 GiB is larger than the 64\\.0 MiB this accepts\n$")
  expect(EXIT 2 COMMAND "${TOOL}" check huge.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "${refused}")
  expect(EXIT 2 COMMAND "${TOOL}" inspect huge.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "${refused}")
  expect(EXIT 2 COMMAND "${TOOL}" digest huge.bin OUTPUT_MATCHES "^$" ERROR_MATCHES "${refused}")
  expect(EXIT 2 COMMAND "${TOOL}" embed huge.bin --name blob -o blob.h ERROR_MATCHES "${refused}")
  expect(EXIT 2 COMMAND "${TOOL}" seal huge.bin --load-address 0x1234000 --segment 0x3000000:huge.bin --entry 0
                        -o sealed.bin
         ERROR_MATCHES "${refused}")
  expect_no_file("${WORK_DIR}/blob.h" "${WORK_DIR}/sealed.bin")
endfunction()

run_group()
