/* SPDX-License-Identifier: MIT */
/*
 * Purgatory code is compiled against newlib's C headers, libstdc++'s header-only parts and nothing of
 * glibc. libstdc++'s configuration header for GNU/Linux targets (bits/os_defines.h) still includes
 * <features.h> to ask which glibc it runs on: none. Answering here keeps every glibc header out of the
 * purgatory (on big-endian ELFv2 they would not even compile: Debian's ppc64 glibc is ELFv1).
 */
#ifndef PURGATORY_LIBSTDCXX_COMPAT_FEATURES_H
#define PURGATORY_LIBSTDCXX_COMPAT_FEATURES_H
#define __GLIBC_PREREQ(major, minor) 0
#endif
