# SPDX-License-Identifier: MIT
# An image stays within its arch's size budget (docs/performance.md, "Image sizes"): growth is then a
# decision taken in the commit that raises the budget, with its figures, never a side effect.
#   cmake -DIMAGE=purgatory.bin -DBUDGET=BYTES -P size_budget_test.cmake

include(${CMAKE_CURRENT_LIST_DIR}/inputs.cmake)
require_image_inputs(IMAGE BUDGET)
file(SIZE "${IMAGE}" size)
if(size EQUAL 0)
  message(FATAL_ERROR "${IMAGE} is empty")
endif()
if(size GREATER BUDGET)
  math(EXPR over "${size} - ${BUDGET}")
  message(FATAL_ERROR "${IMAGE} is ${size} bytes, ${over} over its budget of ${BUDGET}: make room, or raise "
                      "the budget (cmake/PurgatoryTestSubBuilds.cmake) with the figures in docs/performance.md")
endif()
math(EXPR left "${BUDGET} - ${size}")
message(STATUS "${IMAGE}: ${size} bytes, ${left} under the budget of ${BUDGET}")
