# SPDX-License-Identifier: MIT
# SHA-256: the portable core (portable/, header-only and constexpr) and one engine per CPU, each in a
# folder named after the instructions it uses, each with the same header, <purgatory/sha256_engine.h>:
#   x86_64-sha-ni/          x86 SHA extensions (one lane in the header, two in sha256_engine.S)
#   x86_64-ssse3/           x86 without them: SSSE3 schedule, BMI2 rounds (header-only, its own
#                           header name, <purgatory/sha256_vector_schedule.h>, beside SHA-NI's)
#   arm64-sha2/             Armv8 SHA-256 instructions (sha256_engine.S)
#   ppc64-vector-crypto/    POWER8 vector crypto (sha256_engine.S, both byte orders)
#   none/                   no engine: the portable core only (hosts of other CPUs)
# The purgatory (arch/<dir>/), the host library (host/) and the tests use them alike; the engine's
# sources are compiled into whatever links it, with that target's flags.

add_library(purgatory_sha256 INTERFACE)
target_include_directories(purgatory_sha256 INTERFACE
  $<BUILD_INTERFACE:${CMAKE_CURRENT_LIST_DIR}/portable/include>)

# purgatory_sha256_engine(<target> <engine>...): each <engine> (a folder name above) compiled into
# <target>, its header on <target>'s include path.
function(purgatory_sha256_engine target)
  foreach(engine IN LISTS ARGN)
    set(dir ${PURGATORY_SDK_SOURCE_DIR}/sha256/${engine})
    if(NOT IS_DIRECTORY ${dir})
      message(FATAL_ERROR "no SHA-256 engine ${engine} (sha256/${engine})")
    endif()
    target_include_directories(${target} PRIVATE ${dir}/include)
    if(EXISTS ${dir}/sha256_engine.S)
      target_sources(${target} PRIVATE ${dir}/sha256_engine.S)
    endif()
  endforeach()
endfunction()

# The engines of each CPU CMake names (CMAKE_SYSTEM_PROCESSOR) or the SDK names (its arch directories),
# the CPU's SHA-256 instructions first.
set(PURGATORY_SHA256_ENGINE_x86_64 x86_64-sha-ni x86_64-ssse3)
set(PURGATORY_SHA256_ENGINE_AMD64 x86_64-sha-ni x86_64-ssse3)
set(PURGATORY_SHA256_ENGINE_aarch64 arm64-sha2)
set(PURGATORY_SHA256_ENGINE_arm64 arm64-sha2)
set(PURGATORY_SHA256_ENGINE_ppc64le ppc64-vector-crypto)
set(PURGATORY_SHA256_ENGINE_ppc64 ppc64-vector-crypto)
