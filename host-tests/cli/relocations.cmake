# SPDX-License-Identifier: MIT
# purgatory-tool relocations: where objects and static libraries store an address (what the SDK's link
# step prints when a relocation gate fails), on objects compiled here for every arch with the
# purgatories' clang.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

set(llvm_bin /usr/lib/llvm-${CLANG_VERSION}/bin)
foreach(tool IN ITEMS clang llvm-ar)
  string(MAKE_C_IDENTIFIER "${tool}" variable)
  find_program(${variable} ${tool} PATHS ${llvm_bin} NO_DEFAULT_PATH REQUIRED)
endforeach()
set(triple_x86_64 x86_64-linux-gnu)
set(triple_arm64 aarch64-linux-gnu)
set(triple_ppc64le powerpc64le-linux-gnu)
set(triple_ppc64 powerpc64-linux-gnu -mabi=elfv2)  # ELFv2, as the purgatories are

# A table of pointers (the commonest cause) and a file with none, as objects for `arch`.
function(compile_objects arch)
  file(WRITE table.c "static void stop(void) {}\nvoid (*const handlers[])(void) = {stop};\n")
  file(WRITE clean.c "int add(int a, int b) { return a + b; }\n")
  foreach(name IN ITEMS table clean)
    execute_process(COMMAND ${clang} --target=${triple_${arch}} -fPIE -O2 -c ${name}.c -o ${arch}-${name}.o
                    RESULT_VARIABLE status ERROR_VARIABLE errors)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "compiling ${name}.c for ${arch}: ${errors}")
    endif()
  endforeach()
endfunction()

function(test_objects)
  foreach(arch IN LISTS ARCHES)
    compile_objects(${arch})
    expect(EXIT 1 COMMAND "${TOOL}" relocations ${arch}-table.o ${arch}-clean.o ERROR_MATCHES "^$"
           OUTPUT_MATCHES "^${arch}-table\\.o: handlers \\(\\.data\\.rel\\.ro\\): R_[A-Z0-9_]+ of stop: an absolute address, which needs a run-time relocation\n$")
    expect(EXIT 0 COMMAND "${TOOL}" relocations ${arch}-clean.o OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
    # A static library names the member.
    file(REMOVE lib${arch}.a)
    execute_process(COMMAND ${llvm_ar} rc lib${arch}.a ${arch}-clean.o ${arch}-table.o RESULT_VARIABLE status)
    expect_equal("${status}" "0" "llvm-ar")
    expect(EXIT 1 COMMAND "${TOOL}" relocations lib${arch}.a ERROR_MATCHES "^$"
           OUTPUT_MATCHES "^lib${arch}\\.a\\(${arch}-table\\.o\\): handlers \\(\\.data\\.rel\\.ro\\): R_[A-Z0-9_]+ of stop: ")
  endforeach()
endfunction()

function(test_json)
  compile_objects(arm64)
  expect(EXIT 1 COMMAND "${TOOL}" relocations --json arm64-table.o arm64-clean.o OUTPUT_VARIABLE json
         OUTPUT_MATCHES "^\\[" ERROR_MATCHES "^$")
  json_get(file "${json}" 0 file)
  expect_equal("${file}" "arm64-table.o" "JSON: the first object's file")
  json_get(type "${json}" 0 stored_addresses 0 type)
  expect_equal("${type}" "R_AARCH64_ABS64" "JSON: the relocation")
  json_get(holder "${json}" 0 stored_addresses 0 holder)
  expect_equal("${holder}" "handlers" "JSON: the holder")
  json_get(target "${json}" 0 stored_addresses 0 target)
  expect_equal("${target}" "stop" "JSON: the target")
  json_get(absolute "${json}" 0 stored_addresses 0 absolute)
  expect_equal("${absolute}" "ON" "JSON: absolute")
  string(JSON count ERROR_VARIABLE error LENGTH "${json}" 1 stored_addresses)
  expect_equal("${count}" "0" "JSON: the clean object's stored addresses")
endfunction()

function(test_refusals)
  compile_objects(x86_64)
  file(WRITE text.o "not an object\n")
  copy_prefix(x86_64-table.o cut.o 100)
  purgatory_image(image x86_64 elf)
  expect(EXIT 1 COMMAND "${TOOL}" relocations text.o OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: text\\.o: neither an ELF object nor an ar archive\n$")
  expect(EXIT 1 COMMAND "${TOOL}" relocations cut.o OUTPUT_MATCHES "^$" ERROR_MATCHES "^purgatory-tool: cut\\.o: ELF file truncated: ")
  expect(EXIT 1 COMMAND "${TOOL}" relocations "${image}" OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: [^\n]*purgatory\\.elf: not a relocatable object \\(ELF type 3, not ET_REL\\)\n$")
  # A read error once, in the tool's form.
  expect(EXIT 2 COMMAND "${TOOL}" relocations missing.o OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: missing\\.o: cannot open: No such file or directory\n$")
  # Archives: thin, a damaged header, a member larger than the archive.
  file(WRITE thin.a "!<thin>\n")
  expect(EXIT 1 COMMAND "${TOOL}" relocations thin.a OUTPUT_MATCHES "^$" ERROR_MATCHES "^purgatory-tool: thin\\.a: a thin archive")
  string(REPEAT " " 16 name)
  file(WRITE damaged.a "!<arch>\nmember.o/       0           0     0     644     10        XX0123456789")
  expect(EXIT 1 COMMAND "${TOOL}" relocations damaged.a OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: damaged\\.a: archive member header at 0x8 is damaged\n$")
  file(WRITE large.a "!<arch>\nmember.o/       0           0     0     644     9999      `\n0123")
  expect(EXIT 1 COMMAND "${TOOL}" relocations large.a OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: large\\.a: archive member at 0x8 has a bad size \\(9999\\)\n$")
  # An archive must hold an object to examine: none at all, or only other files, is refused; so is
  # LLVM bitcode (-flto), whose addresses only the link decides.
  file(WRITE empty.a "!<arch>\n")
  expect(EXIT 1 COMMAND "${TOOL}" relocations empty.a OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: empty\\.a: an ar archive with no ELF object among its 0 members\n$")
  file(WRITE notes.a "!<arch>\nnotes.txt/      0           0     0     644     4         `\nhi!\n")
  expect(EXIT 1 COMMAND "${TOOL}" relocations notes.a OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: notes\\.a: an ar archive with no ELF object among its 1 member\n$")
  write_bytes(bitcode.o "4243c0de35140000")
  expect(EXIT 1 COMMAND "${TOOL}" relocations bitcode.o OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: bitcode\\.o: LLVM bitcode \\(built with -flto\\), not an ELF object")
  # The bad file does not hide the others' findings.
  expect(EXIT 1 COMMAND "${TOOL}" relocations text.o x86_64-table.o ERROR_MATCHES "^purgatory-tool: text\\.o: "
         OUTPUT_MATCHES "^x86_64-table\\.o: ")
endfunction()

run_group()
