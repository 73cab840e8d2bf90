# SPDX-License-Identifier: MIT
# Packages of what `cmake --install` puts in a prefix (cmake/PurgatoryInstall.cmake), made by CPack from
# a built tree:
#   cpack --config build/CPackConfig.cmake -G DEB    purgatory-sdk_<version>_<arch>.deb, under /usr
#   cpack --config build/CPackConfig.cmake -G TGZ    purgatory-sdk-<version>-Linux.tar.gz, a relocatable prefix
set(CPACK_PACKAGE_NAME purgatory-sdk)
set(CPACK_PACKAGE_VENDOR "the purgatory SDK developers")
set(CPACK_PACKAGE_CONTACT "the purgatory SDK developers <purgatory-sdk@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "Prebuilt relocation-free kexec purgatories for x86_64, arm64, ppc64le and ppc64; purgatory-tool to inspect, "
    "check, seal and embed them; purgatory-qemu to boot one under QEMU; the host library, the ABI header and a "
    "C reference loader for loaders; the runtime, toolchain files and CMake package to build custom purgatories.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_GENERATOR TGZ)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_PACKAGE_FILE_NAME ${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_STRIP_FILES OFF)  # the host programs keep what the build type gives them

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "")
# The programs link only the C and C++ runtimes ({fmt}, CLI11 and nlohmann-json are compiled in; kexec-loader
# is static). Building a custom purgatory needs the compiler the SDK was built with (and for arm64 and
# ppc64 the target's libstdc++ headers), and booting one QEMU.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1")
list(GET PURGATORY_CLANG_VERSIONS 0 packaged_clang)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "clang-${packaged_clang}, lld-${packaged_clang}, llvm-${packaged_clang}, cmake (>= 3.25), libnewlib-dev, libstdc++-12-dev-arm64-cross, libstdc++-12-dev-ppc64el-cross, libstdc++-12-dev-ppc64-cross, qemu-system-x86, qemu-system-arm, qemu-system-ppc")
include(CPack)
