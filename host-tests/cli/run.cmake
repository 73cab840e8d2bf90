# SPDX-License-Identifier: MIT
# Runs one group of a test script of this directory (cmake -P SCRIPT.cmake) inside a fresh WORK_DIR,
# so that the script's relative file names land there. Every other -D variable is passed on; see
# expect.cmake for the list.
cmake_minimum_required(VERSION 3.25)

if(NOT SCRIPT OR NOT WORK_DIR)
  message(FATAL_ERROR "SCRIPT and WORK_DIR must be set: run this through ctest")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

set(definitions "")
foreach(variable IN ITEMS TOOL GROUP WORK_DIR IMAGES_DIR CLANG_VERSION CC VERSION)
  if(DEFINED ${variable})
    list(APPEND definitions "-D${variable}=${${variable}}")
  endif()
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" ${definitions} -P "${CMAKE_CURRENT_LIST_DIR}/${SCRIPT}.cmake"
                WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${SCRIPT}.cmake, group ${GROUP}: failed (see above); its files are in ${WORK_DIR}")
endif()
