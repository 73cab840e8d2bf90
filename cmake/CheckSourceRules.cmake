# SPDX-License-Identifier: MIT
# The source tree's rules, checked on every build of the native tree (a failure stops the build):
#   - host/, tools/ and examples/ never include an arch's internal headers (<purgatory/arch/...>): they
#     reach the SHA-256 engines through sha256/ and the ABI through runtime/include. One exception:
#     purgatory-qemu's stand-in next kernel (tools/purgatory-qemu/next-kernel/<arch>/), which the arch's
#     own build assembles for the emulated machine, uses that arch's assembler macros;
#   - runtime/, arch/ and sha256/ (code that runs in the purgatory) never include a host header: the
#     host library's (<purgatory/host/...>) or a hosted library's ({fmt}, CLI11, nlohmann-json, libfdt);
#   - every source file (code, CMake, scripts with or without an extension, linker scripts, .in templates)
#     has an SPDX-License-Identifier line in its first three lines.
#
#   cmake -DSOURCE_DIR=<tree> -P CheckSourceRules.cmake
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<tree> -P CheckSourceRules.cmake")
endif()

set(problems "")
set(code_patterns *.cc *.h *.c *.S *.inc)

function(check_includes directories forbidden why)
  foreach(directory IN LISTS directories)
    set(globs "")
    foreach(pattern IN LISTS code_patterns)
      list(APPEND globs ${SOURCE_DIR}/${directory}/${pattern})
    endforeach()
    file(GLOB_RECURSE files ${globs})
    foreach(file IN LISTS files)
      file(RELATIVE_PATH name ${SOURCE_DIR} ${file})
      if(name MATCHES "^tools/purgatory-qemu/next-kernel/" AND forbidden STREQUAL "purgatory/arch/")
        continue()
      endif()
      file(STRINGS ${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](${forbidden})")
      foreach(line IN LISTS includes)
        string(STRIP "${line}" line)
        list(APPEND problems "${name}: ${line}: ${why}")
      endforeach()
    endforeach()
  endforeach()
  set(problems "${problems}" PARENT_SCOPE)
endfunction()

check_includes("host;tools;examples" "purgatory/arch/"
               "an arch's internal header outside the purgatory (use <purgatory/sha256_engine.h> or the ABI header)")
check_includes("runtime;arch;sha256" "purgatory/host/|fmt/|CLI/|nlohmann/|libfdt"
               "a host header in code that runs in the purgatory")

# The tree's own directories only (not build trees or downloads, wherever they are).
file(GLOB top_level LIST_DIRECTORIES true RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/*)
set(globs ${SOURCE_DIR}/CMakeLists.txt ${SOURCE_DIR}/scripts/* ${SOURCE_DIR}/.ci/*)
foreach(directory IN LISTS top_level)
  if(NOT IS_DIRECTORY ${SOURCE_DIR}/${directory} OR EXISTS ${SOURCE_DIR}/${directory}/CMakeCache.txt
     OR directory MATCHES "^(build.*|scripts|\\..*)$")
    continue()
  endif()
  foreach(pattern IN ITEMS ${code_patterns} *.cmake CMakeLists.txt *.ld *.sh *.in)
    list(APPEND globs ${SOURCE_DIR}/${directory}/${pattern})
  endforeach()
  # Files without an extension are scripts (host-tests/system/init, say).
  file(GLOB_RECURSE all_files ${SOURCE_DIR}/${directory}/*)
  foreach(file IN LISTS all_files)
    get_filename_component(file_name ${file} NAME)
    if(NOT file_name MATCHES "\\.")
      list(APPEND globs ${file})
    endif()
  endforeach()
endforeach()
set(files "")
foreach(glob IN LISTS globs)
  if(glob MATCHES "/(scripts|\\.ci)/\\*$" OR glob STREQUAL "${SOURCE_DIR}/CMakeLists.txt")
    file(GLOB found ${glob})
  else()
    file(GLOB_RECURSE found ${glob})
  endif()
  list(APPEND files ${found})
endforeach()
list(REMOVE_DUPLICATES files)
foreach(file IN LISTS files)
  file(RELATIVE_PATH name ${SOURCE_DIR} ${file})
  file(STRINGS ${file} head LIMIT_COUNT 3)
  if(NOT head MATCHES "SPDX-License-Identifier: ")
    list(APPEND problems "${name}: no SPDX-License-Identifier line in its first three lines")
  endif()
endforeach()

if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "source rules broken:\n  ${text}")
endif()
