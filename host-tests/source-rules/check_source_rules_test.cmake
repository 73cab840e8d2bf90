# SPDX-License-Identifier: MIT
# cmake/CheckSourceRules.cmake must pass on the SDK's own tree and fail, naming each file and rule, on a
# tree that breaks every rule once.
#   cmake -DSOURCE_DIR=<sdk> -DWORK_DIR=<dir> -P check_source_rules_test.cmake
set(checker ${SOURCE_DIR}/cmake/CheckSourceRules.cmake)

execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${SOURCE_DIR} -P ${checker}
                RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the SDK's own tree breaks its rules:\n${errors}")
endif()

set(tree ${WORK_DIR}/tree)
file(REMOVE_RECURSE ${WORK_DIR})
set(spdx "// SPDX-License-Identifier: MIT\n")
file(WRITE ${tree}/host/src/engine.cc "${spdx}#include <purgatory/arch/sha256_armv8.h>\n")
file(WRITE ${tree}/tools/x/main.cc "${spdx}  #  include \"purgatory/arch/machine.h\"\n")
file(WRITE ${tree}/runtime/log.cc "${spdx}#include <fmt/format.h>\n")
file(WRITE ${tree}/arch/arm64/arch.cc "${spdx}#include <purgatory/host/image.h>\n")
file(WRITE ${tree}/sha256/portable/ok.cc "${spdx}#include <purgatory/sha256.h>\n")
file(WRITE ${tree}/examples/minimal/main.cc "#include <purgatory/boot.h>\n")
file(WRITE ${tree}/cmake/Thing.cmake "message(hello)\n")
file(WRITE ${tree}/cmake/thing.pc.in "prefix=@prefix@\n")
file(WRITE ${tree}/host-tests/system/init "#!/bin/sh\necho hello\n")
file(WRITE ${tree}/docs/notes.md "no licence line needed in prose\n")
file(WRITE ${tree}/build-x/CMakeCache.txt "")
file(WRITE ${tree}/build-x/generated.cc "not checked\n")

execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${tree} -P ${checker}
                RESULT_VARIABLE result ERROR_VARIABLE errors)
if(result EQUAL 0)
  message(FATAL_ERROR "a tree that breaks every rule passed")
endif()
foreach(expected IN ITEMS
    "host/src/engine.cc: #include <purgatory/arch/sha256_armv8.h>: an arch's internal header"
    "tools/x/main.cc: #  include \"purgatory/arch/machine.h\": an arch's internal header"
    "runtime/log.cc: #include <fmt/format.h>: a host header in code that runs in the purgatory"
    "arch/arm64/arch.cc: #include <purgatory/host/image.h>: a host header"
    "examples/minimal/main.cc: no SPDX-License-Identifier"
    "cmake/Thing.cmake: no SPDX-License-Identifier"
    "cmake/thing.pc.in: no SPDX-License-Identifier"
    "host-tests/system/init: no SPDX-License-Identifier")
  string(FIND "${errors}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the checker did not say \"${expected}\":\n${errors}")
  endif()
endforeach()
foreach(unexpected IN ITEMS "sha256/portable/ok.cc" "build-x" "docs/notes.md")
  string(FIND "${errors}" "${unexpected}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the checker named ${unexpected}, which breaks no rule:\n${errors}")
  endif()
endforeach()
message(STATUS "source rules: the SDK's tree passes; each broken rule is named")
