# SPDX-License-Identifier: MIT
# Compiles sha256_constexpr_budget.cc with one compiler at its default constant-evaluation limits (a
# ctest test, cmake -P). A compiler that is not installed fails the test: the budget is a promise for
# each of them, and a skipped compiler would let a regression through unnoticed.
#   -DCOMPILER=<name> -DSOURCE=<file> -DINCLUDE_DIR=<dir with purgatory/sha256.h>
find_program(compiler_path NAMES ${COMPILER} NO_CACHE)
if(NOT compiler_path)
  message(FATAL_ERROR "${COMPILER} is not installed; this test needs it (scripts/setup.sh installs it)")
endif()
execute_process(COMMAND ${compiler_path} -std=c++20 -fsyntax-only -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${COMPILER} could not hash 64 KiB in a static_assert within its default limits")
endif()
