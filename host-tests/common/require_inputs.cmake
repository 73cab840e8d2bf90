# SPDX-License-Identifier: MIT
# For the test scripts ctest runs as `cmake -P`: each -D input a script needs is given, or the test
# fails naming it (never a skip).
function(require_inputs)
  foreach(variable IN LISTS ARGN)
    if(NOT DEFINED ${variable})
      message(FATAL_ERROR "${variable} is not set: run this script through ctest")
    endif()
  endforeach()
endfunction()
