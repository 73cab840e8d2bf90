# SPDX-License-Identifier: MIT
# Builds TARGET in BUILD_DIR and passes only if the build fails with output matching EXPECT (and
# EXPECT_CAUSE, when given: the object and symbol that store an address) and leaves no OUTPUT file behind.
file(REMOVE "${OUTPUT}")
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(result EQUAL 0)
  message(FATAL_ERROR "building ${TARGET} succeeded; the gate should have stopped it:\n${output}")
endif()
if(NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "building ${TARGET} failed, but not with /${EXPECT}/:\n${output}")
endif()
if(EXPECT_CAUSE AND NOT output MATCHES "${EXPECT_CAUSE}")
  message(FATAL_ERROR "building ${TARGET} failed, but the error does not name the cause /${EXPECT_CAUSE}/:\n${output}")
endif()
if(EXISTS "${OUTPUT}")
  message(FATAL_ERROR "building ${TARGET} failed but left ${OUTPUT} behind")
endif()
message(STATUS "${TARGET}: refused as expected")
