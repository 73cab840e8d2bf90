# SPDX-License-Identifier: MIT
# purgatory-tool embed: the C header must compile as C99 and hold the image's bytes; the assembler file
# must .incbin the image by an absolute path and assemble; invalid requests are refused.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

if(NOT CC)
  message(FATAL_ERROR "CC (the host C compiler) is not set")
endif()
require_file("${CC}")

# A C program that compares the <size_expression> bytes at <name> with the file given as its argument;
# <prelude> declares <name>.
function(write_compare_program path prelude name size_expression)
  file(WRITE "${path}" "${prelude}
#include <stdio.h>
#include <string.h>
int main(int argc, char** argv) {
  static unsigned char file[1 << 20];
  FILE* f = argc == 2 ? fopen(argv[1], \"rb\") : NULL;
  size_t size = f ? fread(file, 1, sizeof(file), f) : 0;
  if (!f || size != (size_t)(${size_expression}) || memcmp(file, ${name}, size) != 0) {
    printf(\"embedded bytes differ from the file\\n\");
    return 1;
  }
  printf(\"%lu embedded bytes match\\n\", (unsigned long)size);
  return 0;
}
")
endfunction()

function(test_c_header)
  foreach(arch IN LISTS ARCHES)
    purgatory_image(bin ${arch} bin)
    file(SIZE "${bin}" size)
    file(SHA256 "${bin}" sha256)
    set(name ${arch}_image)
    string(TOUPPER ${name} macro)
    expect(EXIT 0 COMMAND "${TOOL}" embed "${bin}" --name ${name} --format c -o ${name}.h
           OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
    file(READ ${name}.h header)
    foreach(regex IN ITEMS
            "static const unsigned char ${name}\\[${size}\\] = {\n  0x50, 0x55, 0x52, 0x47, 0x41, 0x54, 0x52, 0x59,"
            "#define ${macro}_ARCH \"${arch}\"\n"
            "#define ${macro}_ABI_MAJOR 1\n"
            "#define ${macro}_ENTRY_OFFSET 0x80ull\n"
            "#define ${macro}_UNSEALED_SHA256 \"${sha256}\"\n"
            "#ifndef ${macro}_PURGATORY_IMAGE_H\n")
      if(NOT header MATCHES "${regex}")
        message(SEND_ERROR "FAILED: ${name}.h does not match: ${regex}")
      endif()
    endforeach()
    if(header MATCHES "#define ${macro}_FILE_SIZE (0x[0-9a-f]+)ull\n")
      math(EXPR file_size "${CMAKE_MATCH_1}")
      expect_equal("${file_size}" "${size}" "${macro}_FILE_SIZE")
    else()
      message(SEND_ERROR "FAILED: no ${macro}_FILE_SIZE in ${name}.h")
    endif()

    # Valid C99, included twice (the guard), with the array as long as the macro says.
    file(WRITE ${name}-check.c "#include \"${name}.h\"\n#include \"${name}.h\"\n"
               "typedef char size_matches[sizeof(${name}) == ${macro}_FILE_SIZE ? 1 : -1];\n")
    expect(EXIT 0 COMMAND "${CC}" -std=c99 -pedantic-errors -fsyntax-only ${name}-check.c
           OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  endforeach()

  # From an ELF (the default format is c): the bytes of its PT_LOAD, which are the .bin. Built and run.
  purgatory_image(elf x86_64 elf)
  purgatory_image(bin x86_64 bin)
  file(SIZE "${bin}" size)
  expect(EXIT 0 COMMAND "${TOOL}" embed "${elf}" --name from_elf -o from_elf.h OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  file(READ from_elf.h header)
  if(NOT header MATCHES "from purgatory\\.elf: do not edit" OR NOT header MATCHES "from_elf\\[${size}\\]")
    message(SEND_ERROR "FAILED: from_elf.h does not name purgatory.elf or has not ${size} bytes")
  endif()
  write_compare_program(from_elf.c "#include \"from_elf.h\"" from_elf FROM_ELF_FILE_SIZE)
  expect(EXIT 0 COMMAND "${CC}" -std=c99 -o from_elf from_elf.c OUTPUT_MATCHES "^$")
  expect(EXIT 0 COMMAND "${WORK_DIR}/from_elf" "${bin}" OUTPUT_MATCHES "^${size} embedded bytes match\n$")
endfunction()

function(test_asm)
  file(MAKE_DIRECTORY images objects)
  foreach(arch IN ITEMS x86_64 ppc64)
    purgatory_image(bin ${arch} bin)
    file(SIZE "${bin}" size)
    file(COPY_FILE "${bin}" images/${arch}.bin)
    set(name ${arch}_blob)

    # Given a relative, non-normal path, the file names the image by its absolute normal path.
    expect(EXIT 0 COMMAND "${TOOL}" embed images/../images/${arch}.bin --name ${name} --format asm -o ${name}.S
           OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
    file(READ ${name}.S text)
    if(NOT text MATCHES "\n\t\\.incbin \"(/[^\"]*)\"\n")
      message(SEND_ERROR "FAILED: no .incbin with an absolute path in ${name}.S:\n${text}")
    else()
      set(path "${CMAKE_MATCH_1}")
      if(path MATCHES "/\\.\\.?/" OR NOT path MATCHES "/images/${arch}\\.bin$" OR NOT EXISTS "${path}")
        message(SEND_ERROR "FAILED: ${name}.S includes \"${path}\", not the absolute path of images/${arch}.bin")
      else()
        message(STATUS "ok: ${name}.S includes ${path}")
      endif()
    endif()
    math(EXPR hex_size "${size}" OUTPUT_FORMAT HEXADECIMAL)
    foreach(regex IN ITEMS "\t\\.globl ${name}\n${name}:\n" "\t\\.globl ${name}_end\n${name}_end:\n"
                           "\t\\.set ${name}_size, ${hex_size}\n" "\t\\.set ${name}_entry_offset, 0x80\n")
      if(NOT text MATCHES "${regex}")
        message(SEND_ERROR "FAILED: ${name}.S does not match: ${regex}")
      endif()
    endforeach()

    # It assembles from anywhere (the host's assembler will do: the file is data only), and a program
    # linked with it sees the image's bytes between NAME and NAME_end.
    expect(EXIT 0 COMMAND "${CC}" -c "${WORK_DIR}/${name}.S" -o ${name}.o WORKING_DIRECTORY "${WORK_DIR}/objects"
           OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
    file(SIZE objects/${name}.o object_size)
    if(object_size LESS size)
      message(SEND_ERROR "FAILED: objects/${name}.o is ${object_size} bytes, smaller than the ${size}-byte image")
    endif()
    write_compare_program(${name}-main.c "extern const unsigned char ${name}[], ${name}_end[];"
                          ${name} "${name}_end - ${name}")
    expect(EXIT 0 COMMAND "${CC}" -std=c99 -o ${name}-program ${name}-main.c objects/${name}.o OUTPUT_MATCHES "^$")
    expect(EXIT 0 COMMAND "${WORK_DIR}/${name}-program" "${bin}" OUTPUT_MATCHES "^${size} embedded bytes match\n$")
  endforeach()
endfunction()

# Paths are bytes: a backslash or a quote must reach the assembler's .incbin escaped, and a "*/" must not
# end the generated files' comments early. The files still assemble or compile, with the right bytes.
function(test_odd_paths)
  purgatory_image(bin x86_64 bin)
  file(SIZE "${bin}" size)
  set(dir "odd \\ \"quoted\" star*")
  # (Through mkdir and cp: CMake's own file commands read a backslash as a path separator.)
  expect(EXIT 0 COMMAND mkdir "${dir}" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND cp "${bin}" "${dir}/image*.bin" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${TOOL}" embed "${dir}/image*.bin" --name odd --format asm -o odd.S OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${CC}" -c odd.S -o odd.o OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  write_compare_program(odd-main.c "extern const unsigned char odd[], odd_end[];" odd "odd_end - odd")
  expect(EXIT 0 COMMAND "${CC}" -std=c99 -o odd-program odd-main.c odd.o OUTPUT_MATCHES "^$")
  expect(EXIT 0 COMMAND "${WORK_DIR}/odd-program" "${bin}" OUTPUT_MATCHES "^${size} embedded bytes match\n$")
  expect(EXIT 0 COMMAND "${TOOL}" embed "${dir}/image*.bin" --name odd_c -o odd.h OUTPUT_MATCHES "^$" ERROR_MATCHES "^$")
  expect(EXIT 0 COMMAND "${CC}" -std=c99 -fsyntax-only odd.h ERROR_MATCHES "^$")
  # "-" is standard output.
  expect(EXIT 0 COMMAND "${TOOL}" embed "${bin}" --name to_stdout -o - OUTPUT_MATCHES "^/\\* Generated by purgatory-tool embed"
         ERROR_MATCHES "^$")
  expect_no_file("${WORK_DIR}/-")
endfunction()

function(test_refusals)
  purgatory_image(bin x86_64 bin)
  purgatory_image(elf x86_64 elf)
  foreach(name IN ITEMS 1abc a-b "a b" "café")
    expect(EXIT 1 COMMAND "${TOOL}" embed "${bin}" --name "${name}" -o refused.h OUTPUT_MATCHES "^$"
           ERROR_MATCHES "\"${name}\" is not a C identifier \\(letters, digits and _, not starting with a digit, not a C or C\\+\\+ keyword\\)")
    expect(EXIT 1 COMMAND "${TOOL}" embed "${bin}" --name "${name}" --format asm -o refused.S
           ERROR_MATCHES "\"${name}\" is not a C identifier")
  endforeach()
  expect(EXIT 1 COMMAND "${TOOL}" embed "${elf}" --name blob --format asm -o refused.S
         ERROR_MATCHES "--format asm \\.incbin's the file as it is: give the flat image, not the ELF")
  # .incbin needs a path the assembler can read again: not standard input (a C header from it is fine).
  expect(EXIT 1 COMMAND "${TOOL}" embed - --name blob --format asm -o refused.S INPUT_FILE "${bin}"
         ERROR_MATCHES "standard input: --format asm \\.incbin's the image by its path.*give a regular file")
  expect_no_file("${WORK_DIR}/refused.S")
  expect(EXIT 0 COMMAND "${TOOL}" embed - --name blob -o from-stdin.h INPUT_FILE "${bin}" ERROR_MATCHES "^$")
  write_zeros(zeros.bin 4096)
  expect(EXIT 1 COMMAND "${TOOL}" embed zeros.bin --name blob -o refused.h ERROR_MATCHES "zeros\\.bin: not a purgatory image")
  next_kernel_image(bare x86_64 bin)
  expect(EXIT 1 COMMAND "${TOOL}" embed "${bare}" --name blob -o refused.h ERROR_MATCHES "not a purgatory image")
  expect(EXIT 2 COMMAND "${TOOL}" embed no-such-image.bin --name blob -o refused.h ERROR_MATCHES "no-such-image\\.bin.*cannot open")
  expect_no_file("${WORK_DIR}/refused.h" "${WORK_DIR}/refused.S" "${WORK_DIR}/refused.h.tmp" "${WORK_DIR}/refused.S.tmp")
  expect(EXIT 2 COMMAND "${TOOL}" embed "${bin}" --name blob -o no-such-dir/out.h
         ERROR_MATCHES "^purgatory-tool: no-such-dir/out\\.h: cannot create")
  # Never written over the image it is made from (an .incbin of it would then read itself), by its own
  # name or another.
  file(COPY_FILE "${bin}" own.bin)
  file(CREATE_LINK own.bin own-link.bin SYMBOLIC)
  file(SHA256 own.bin before)
  expect(EXIT 2 COMMAND "${TOOL}" embed own.bin --name blob --format asm -o own.bin
         ERROR_MATCHES "^purgatory-tool: -o own\\.bin: that is the image itself; write the assembler file elsewhere\n$")
  expect(EXIT 2 COMMAND "${TOOL}" embed own.bin --name blob -o own-link.bin
         ERROR_MATCHES "^purgatory-tool: -o own-link\\.bin: that is the image itself; write the header elsewhere\n$")
  file(SHA256 own.bin after)
  expect_equal("${after}" "${before}" "SHA-256 of an image embed was asked to write over")
endfunction()

# A C keyword is not a C identifier: "--name int" must be refused, not give a header whose
# "static const unsigned char int[...]" no compiler accepts.
function(test_c_keyword_name)
  purgatory_image(bin x86_64 bin)
  foreach(keyword IN ITEMS int static)
    expect(EXIT 1 COMMAND "${TOOL}" embed "${bin}" --name ${keyword} -o ${keyword}.h
           ERROR_MATCHES "\"${keyword}\" is not a C identifier")
    if(EXISTS ${keyword}.h)
      expect(EXIT 0 COMMAND "${CC}" -std=c99 -fsyntax-only ${keyword}.h ERROR_MATCHES "^$")
    endif()
  endforeach()
endfunction()

run_group()
