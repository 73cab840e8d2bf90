# The native build: host library, purgatory-tool, host tests, and every purgatory as a sub-build.
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)

add_library(purgatory_host_warnings INTERFACE)
target_compile_options(purgatory_host_warnings INTERFACE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)

add_subdirectory(host)
add_subdirectory(tools/purgatory-tool)
add_subdirectory(host-tests)

include(${CMAKE_CURRENT_LIST_DIR}/PurgatorySubBuilds.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryInstall.cmake)
