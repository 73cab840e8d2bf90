# SPDX-License-Identifier: MIT
# purgatory_add_executable(<name> SOURCES <src>... [LINKER_SCRIPT <file>] [BARE])
#
# A purgatory image for the arch this build is configured for, shaped like add_executable. BARE leaves
# out the SDK's entry stub and image header: a relocation-free blob with an entry of its own (the boot
# tests' stand-in next kernel is one), still linked through both gates. Produces
# <name>.elf and, once the post-link check has passed, the flat image <name>.bin that loaders copy.
# Both gates apply to every image: the linker script's ASSERTs during the link, and
# `purgatory-tool check` on the linked file (which also guards a custom LINKER_SCRIPT). When one fails,
# the error lists the objects' stored addresses (purgatory-tool relocations), and the ELF and the flat
# image are deleted: nothing half-checked is left behind.

set(PURGATORY_TOOL "" CACHE FILEPATH "purgatory-tool (host program) that checks every linked purgatory")
if(NOT PURGATORY_TOOL)
  find_program(PURGATORY_TOOL purgatory-tool)
endif()
if(NOT PURGATORY_TOOL)
  message(FATAL_ERROR "purgatory-tool not found: give -DPURGATORY_TOOL=<path> (the SDK's native build "
                      "passes it to its purgatory sub-builds)")
endif()

function(purgatory_add_executable name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "BARE" "LINKER_SCRIPT" "SOURCES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "purgatory_add_executable(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "purgatory_add_executable(${name}): SOURCES is required")
  endif()
  if(NOT arg_LINKER_SCRIPT)
    set(arg_LINKER_SCRIPT ${PURGATORY_SDK_LINKER_SCRIPT})
  endif()
  get_filename_component(script "${arg_LINKER_SCRIPT}" ABSOLUTE)

  add_executable(${name} ${arg_SOURCES})
  set_target_properties(${name} PROPERTIES SUFFIX .elf LINK_DEPENDS "${script}")
  target_link_libraries(${name} PRIVATE purgatory_runtime purgatory_arch purgatory_freestanding
                                        purgatory_arch_flags)
  if(NOT arg_BARE)
    target_link_libraries(${name} PRIVATE purgatory_arch_entry purgatory_image)
  endif()
  target_link_options(${name} PRIVATE "-Wl,-T,${script}")

  set(check_options "")
  if(arg_BARE)
    set(check_options --no-header)
  endif()
  # The link, both gates and the flat image, in one step (PurgatoryLink.cmake).
  set(launcher ${CMAKE_COMMAND} -DPURGATORY_TOOL=${PURGATORY_TOOL} "-DCHECK_OPTIONS=${check_options}"
               -DOBJCOPY=${CMAKE_OBJCOPY} -P ${PURGATORY_SDK_CMAKE_DIR}/PurgatoryLink.cmake --)
  set_target_properties(${name} PROPERTIES C_LINKER_LAUNCHER "${launcher}" CXX_LINKER_LAUNCHER "${launcher}")
endfunction()
