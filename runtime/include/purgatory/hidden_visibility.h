/* SPDX-License-Identifier: MIT */
// Force-included into every C and C++ file of a purgatory (`-include`).
//
// Every symbol, declarations included, gets hidden visibility. -fvisibility=hidden alone covers only
// definitions: a reference to an `extern` symbol defined elsewhere (in an entry stub, say) would still go
// through the GOT and leave a runtime relocation, which the link forbids. Hidden symbols are reached
// PC-relative (or TOC-relative on ppc64) instead.
#pragma GCC visibility push(hidden)
