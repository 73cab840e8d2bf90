# SPDX-License-Identifier: MIT
# Builds one initramfs of the system tests (cmake -P), as a newc cpio archive:
#
#   stage 2:  /init  /bin/busybox  and empty /dev /proc /sys /sbin /usr/bin /usr/sbin /tmp
#   stage 1:  the same, plus /purgatory.bin  /kernel  /stage2.cpio  /kexec-loader
#
# -DOUTPUT=<.cpio>  -DDEPFILE=<.d>  -DSTAGING=<dir>  -DINIT=<init script>  -DBUSYBOX=<static busybox>
# stage 1 only: -DPURGATORY=<purgatory.bin>  -DKERNEL=<kernel>  -DSTAGE2=<stage2.cpio>  -DLOADER=<kexec-loader>
#
# A missing busybox or kernel fails the build: they come from scripts/fetch-test-kernels.sh. A missing
# loader does not: the archive is made without it, so its /init reports that the loader failed, and the
# tests (which check for the loader themselves) fail with a clear message instead of the whole build.
#
# The depfile names every input, missing ones included, so the archive is remade when one appears.
cmake_minimum_required(VERSION 3.25)

foreach(variable OUTPUT DEPFILE STAGING INIT BUSYBOX)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "make_initramfs.cmake: -D${variable}=... is required")
  endif()
endforeach()

set(inputs ${INIT} ${BUSYBOX})
if(DEFINED KERNEL)
  list(APPEND inputs ${PURGATORY} ${KERNEL} ${STAGE2} ${LOADER})
endif()

# Written first, so a failed run still tells Ninja what to wait for.
set(depfile_inputs "")
foreach(input IN LISTS inputs)
  string(REPLACE " " "\\ " escaped "${input}")
  string(APPEND depfile_inputs " ${escaped}")
endforeach()
string(REPLACE " " "\\ " escaped_output "${OUTPUT}")
file(WRITE ${DEPFILE} "${escaped_output}:${depfile_inputs}\n")

foreach(download IN ITEMS ${BUSYBOX} ${KERNEL})
  if(NOT EXISTS ${download})
    message(FATAL_ERROR "${download} is missing: run scripts/setup.sh (it calls scripts/fetch-test-kernels.sh), "
                        "which downloads the kernels and busybox the system tests boot")
  endif()
endforeach()
foreach(built IN ITEMS ${PURGATORY} ${STAGE2})
  if(NOT EXISTS ${built})
    message(FATAL_ERROR "${built} is missing: it should have been built before this archive")
  endif()
endforeach()

file(REMOVE_RECURSE ${STAGING})
file(MAKE_DIRECTORY ${STAGING})
foreach(directory bin sbin usr/bin usr/sbin dev proc sys tmp)
  file(MAKE_DIRECTORY ${STAGING}/${directory})
endforeach()

# Copies `source` to `destination` (relative to the staging root) with mode 0755 or 0644.
function(stage source destination executable)
  file(COPY_FILE ${source} ${STAGING}/${destination})
  set(permissions OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  if(executable)
    list(APPEND permissions OWNER_EXECUTE GROUP_EXECUTE WORLD_EXECUTE)
  endif()
  file(CHMOD ${STAGING}/${destination} PERMISSIONS ${permissions})
endfunction()

stage(${INIT} init TRUE)
stage(${BUSYBOX} bin/busybox TRUE)
if(DEFINED KERNEL)
  stage(${PURGATORY} purgatory.bin FALSE)
  stage(${KERNEL} kernel FALSE)
  stage(${STAGE2} stage2.cpio FALSE)
  if(EXISTS ${LOADER})
    stage(${LOADER} kexec-loader TRUE)
  else()
    message(WARNING "${LOADER} is missing (tools/kexec-loader builds it): ${OUTPUT} is made without "
                    "/kexec-loader, and the system tests that use it will fail")
  endif()
endif()

# Sorted names, owned by root, no host inode numbers: the same inputs give the same archive.
file(GLOB_RECURSE entries LIST_DIRECTORIES true RELATIVE ${STAGING} ${STAGING}/*)
list(SORT entries)
list(JOIN entries "\n" entry_list)
file(WRITE ${STAGING}.list "${entry_list}\n")
execute_process(COMMAND cpio --quiet -o -H newc -R 0:0 --reproducible
                INPUT_FILE ${STAGING}.list
                OUTPUT_FILE ${OUTPUT}.tmp
                WORKING_DIRECTORY ${STAGING}
                RESULT_VARIABLE status
                ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "cpio failed (${status}): ${errors}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
file(REMOVE_RECURSE ${STAGING} ${STAGING}.list)
