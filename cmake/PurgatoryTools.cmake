# SPDX-License-Identifier: MIT
# Finding what the build needs, and saying which Debian package has it when it is missing (a fresh
# Debian 12 gets all of them from scripts/setup.sh; the base set, or with --tests the test set too).

# find_package(<package> <version>), or a configure error naming the Debian package.
macro(purgatory_require_package package version debian_package)
  find_package(${package} ${version} QUIET)
  if(NOT ${package}_FOUND)
    message(FATAL_ERROR "${package} ${version} not found: install the Debian package ${debian_package} "
                        "(scripts/setup.sh does)${ARGN}")
  endif()
endmacro()

# find_program(<variable> <name>), or a configure error naming the Debian package.
function(purgatory_require_program variable name debian_package)
  find_program(${variable} ${name})
  if(NOT ${variable})
    message(FATAL_ERROR "${name} not found: install the Debian package ${debian_package} (scripts/setup.sh does)")
  endif()
endfunction()
