// SPDX-License-Identifier: MIT
// The purgatory_info block (its section is named in <purgatory/info.h>). Everything here is a
// compile-time constant: the loader fills in the rest.
#include <purgatory/info.h>

extern "C" constinit purgatory_info purgatory_info_block [[gnu::used]] = {
    .magic = {'P', 'U', 'R', 'G', 'I', 'N', 'F', 'O'},
    .info_size = sizeof(purgatory_info),
    .sealed = 0,
    .flags = 0,
    .segment_count = 0,
    .sha256 = {},
    .segments = {},
    .next = {},
    .console = {},
    .reset = {},
    .user = {},
    .result = {},
    .segment_origin = {},
    .copies = {},
};
