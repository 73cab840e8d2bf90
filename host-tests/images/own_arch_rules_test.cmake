# SPDX-License-Identifier: MIT
# An image carries the block rules of its own arch only (seal_rules.h forces them inline, where the
# machine is a constant): ppc64's messages are in ppc64 images and nowhere else, while the rules every
# arch shares are in all of them (so a reading that finds nothing fails too).
#   cmake -DIMAGE=purgatory.bin -DARCH=x86_64|arm64|ppc64le|ppc64 -P own_arch_rules_test.cmake

include(${CMAKE_CURRENT_LIST_DIR}/inputs.cmake)
require_image_inputs(IMAGE ARCH)

function(find_in_image text out)  # text: no regex special characters
  file(STRINGS "${IMAGE}" found REGEX "${text}" LENGTH_MINIMUM 8)
  string(FIND "${found}" "${text}" at)
  set(${out} ${at} PARENT_SCOPE)
endfunction()

set(shared_rule "the next kernel's entry is outside every verified segment")
set(ppc64_rules
    "low memory is to be restored, but no verified segment covers"
    "the secondary CPUs' entry is misaligned or outside every verified segment"
    "reset on failure needs the RTAS system-reboot token")

find_in_image("${shared_rule}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${IMAGE} lacks the rule every arch has: \"${shared_rule}\"")
endif()
foreach(rule IN LISTS ppc64_rules)
  find_in_image("${rule}" at)
  if(ARCH MATCHES "^ppc64" AND at EQUAL -1)
    message(FATAL_ERROR "${IMAGE} (${ARCH}) lacks its own rule \"${rule}\"")
  elseif(NOT ARCH MATCHES "^ppc64" AND NOT at EQUAL -1)
    message(FATAL_ERROR "${IMAGE} (${ARCH}) carries ppc64's rule \"${rule}\": the rules were not inlined "
                        "with the machine as a constant")
  endif()
endforeach()
message(STATUS "${ARCH}: its own block rules only")
