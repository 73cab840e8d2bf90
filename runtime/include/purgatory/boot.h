/* SPDX-License-Identifier: MIT */
// The purgatory's job in steps, for the default purgatory_main and for custom ones that add their own
// step in between (examples/custom):
//
//   purgatory::Session session(purgatory::loader_info());
//   purgatory::announce(session);
//   if (!purgatory::verify_and_report(session)) purgatory::stop_after_failure(session);
//   ... a custom step, reading session.request() ...
//   purgatory::boot_next_kernel(session);
#pragma once

#include <cstdint>

#include <purgatory/abi.h>
#include <purgatory/arch/machine.h>
#include <purgatory/console.h>
#include <purgatory/seal_rules.h>
#include <purgatory/text.h>

namespace purgatory {

// One run of the purgatory. Before it touches any device it takes a private copy of everything the
// loader wrote into the block, and every decision from then on reads that copy: a console pointed at
// the block itself, or any other stray write, cannot change what is verified, whether it is, or where
// the next kernel starts. Only the result and the log are written to the block, for whoever reads it.
class Session {
 public:
  // Takes the copy, installs the arch's exception vectors (from here a fault is reported, not fatal
  // in silence) and sets up the console, if the copy says it may be used.
  explicit Session(purgatory_info& block);
  // Only a custom purgatory that gives up on a session returns through this; faults then halt.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The loader's request, as it was when the purgatory started.
  const purgatory_info& request() const { return request_; }
  purgatory_result& result() { return block_.result; }
  Console& console() { return console_; }

  // This image, where it runs.
  static ImagePlacement placement();

  // Why the console device is not used though the loader named one (its registers overlap the
  // purgatory or a segment), or none.
  RuleViolation console_violation() const { return console_problem_; }
  // Why faults cannot be reported (the arch could not install its vectors), or null.
  const char* fault_handlers_problem() const { return fault_handlers_problem_; }

  // What the arch changed in the machine (vectors, FP/vector units, the cache window's context), for
  // it to put back before the jump: kept here, not in a global.
  arch::SavedState& saved_state() { return saved_; }

 private:
  purgatory_info& block_;
  const purgatory_info request_;
  arch::SavedState saved_;
  RuleViolation console_problem_;
  const char* fault_handlers_problem_ = nullptr;
  Console console_;
};

// The banner: SDK version, arch, and what is about to be checked.
void announce(Session& session);

// Checks the request (sealed, and every rule of <purgatory/seal_rules.h>; no segment outside the
// memory this purgatory can read), lets the arch prepare (ppc64 restores low memory), verifies the
// segments, records the verdict in the result and prints it; on a mismatch it names the segment with
// both digests. True when the next kernel may run.
bool verify_and_report(Session& session);

// Never jumps: halts, or resets if the loader asked for it (PURGATORY_FLAG_RESET_ON_FAILURE).
[[noreturn]] void stop_after_failure(Session& session);

// Makes the loader's copies (purgatory_info.copies, 1.4: kdump's backups of memory the next kernel
// overwrites), each reported on the console. boot_next_kernel() calls it: only a verified (or
// explicitly unverified) request gets this far, and the rules keep every copy out of what is used.
void make_copies(Session& session);

// Makes the copies, then jumps to the next kernel with the registers of the request.
[[noreturn]] void boot_next_kernel(Session& session);

// The default purgatory: all of the above in order.
[[noreturn]] void run(purgatory_info& block);

// "segment N", and whose it is when the loader described its own segments differently: "segment 3,
// part of the loader's segment 1" (halves for two lanes), "segment 2, ppc64 low memory". How every
// console line names a segment.
void append_segment_name(Text& line, const purgatory_info& request, std::uint32_t segment);

}  // namespace purgatory
