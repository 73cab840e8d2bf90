# SPDX-License-Identifier: MIT
# For the image checks: the -D inputs a script needs (IMAGE among them), and the image they name.
include(${CMAKE_CURRENT_LIST_DIR}/../common/require_inputs.cmake)

function(require_image_inputs)
  require_inputs(${ARGN})
  if(NOT EXISTS "${IMAGE}")
    message(FATAL_ERROR "no image at ${IMAGE}: build the project first")
  endif()
endfunction()
