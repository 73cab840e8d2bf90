# SPDX-License-Identifier: MIT
# For the image checks: the -D inputs a script needs (IMAGE among them), and the image they name.
function(require_image_inputs)
  foreach(variable IN LISTS ARGN)
    if(NOT DEFINED ${variable})
      message(FATAL_ERROR "${variable} is not set: run this script through ctest")
    endif()
  endforeach()
  if(NOT EXISTS "${IMAGE}")
    message(FATAL_ERROR "no image at ${IMAGE}: build the project first")
  endif()
endfunction()
