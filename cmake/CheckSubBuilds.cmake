# SPDX-License-Identifier: MIT
# Fails unless every sub-build in DIRS has been configured and built (so its tests are part of the run).
foreach(dir IN LISTS DIRS)
  if(NOT EXISTS "${dir}/CTestTestfile.cmake")
    message(FATAL_ERROR "sub-build ${dir} has no tests: build the whole project first")
  endif()
endforeach()
list(LENGTH DIRS count)
message(STATUS "${count} sub-builds present")
