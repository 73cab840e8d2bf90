// SPDX-License-Identifier: MIT
#include <purgatory/boot.h>

#include <purgatory/arch.h>
#include <purgatory/arch/image.h>
#include <purgatory/arch_features.h>
#include <purgatory/fault.h>
#include <purgatory/verify.h>

// The purgatory's own memory, from the linker script: segments and consoles must stay out of it.
extern "C" char __purgatory_image_start[], __purgatory_memory_end[];

namespace purgatory {
namespace {

// The session the exception vectors report to. Besides the ABI's block this is the runtime's only
// global: an exception handler has no other way to find what it must report to.
constinit Session* reporting_session = nullptr;
constinit bool reporting_a_fault = false;

// Whether the device the loader named may be used: the block is sealed and sound, not quiet, names a
// kind this image has, and its registers are clear of the purgatory and the segments. `problem` says
// why not when the last is the reason (the log tells the loader's author).
bool console_usable(const purgatory_info& request, RuleViolation& problem) {
  if (block_problem(request) != nullptr || (request.flags & PURGATORY_FLAG_QUIET) ||
      !Console::image_supports(request.console.kind)) {
    return false;
  }
  problem = console_violation(request, Session::placement());
  return !problem;
}

Verdict check_and_verify(const purgatory_info& request, arch::SavedState& saved) {
  Verdict verdict;
  verdict.status = PURGATORY_STATUS_BAD_INFO;
  if (const char* problem = block_problem(request)) {
    verdict.problem = problem;
    return verdict;
  }
  if (const RuleViolation violation = first_violation(request, Session::placement())) {
    verdict.problem = violation.what;
    verdict.failed_segment = violation.segment;
    return verdict;
  }
  if ((request.flags & PURGATORY_FLAG_SKIP_VERIFICATION) == 0) {
    verdict.failed_segment = arch::first_unreadable_segment(request);
    if (verdict.failed_segment != PURGATORY_NO_SEGMENT) {
      verdict.problem = "the segment is outside the memory this purgatory can read";
      return verdict;
    }
  }
  // Only now may the arch act on what the request says (ppc64 restores low memory from it).
  arch::before_verification(request, saved);
  const bool allow_hardware = (request.flags & PURGATORY_FLAG_NO_HARDWARE_DIGEST) == 0;
  return verify_segments(request, arch::select_digest_engine(allow_hardware, request, saved));
}

// The engines' names as one string and a table of integer offsets into it: a table of string pointers,
// which a switch over literals also becomes once optimised, would need relocating.
constexpr char engine_names[] = "portable" "sha-ni" "armv8 sha2" "power8 vector crypto" "ssse3+bmi2";
struct NameSpan {
  std::uint8_t offset, length;
};
constexpr NameSpan engine_name_spans[] = {
    {0, 8},    // PURGATORY_DIGEST_ENGINE_NONE: nothing hashed, shown as the default
    {0, 8},    // PURGATORY_DIGEST_ENGINE_PORTABLE
    {8, 6},    // PURGATORY_DIGEST_ENGINE_X86_SHA_NI
    {14, 10},  // PURGATORY_DIGEST_ENGINE_ARM64_SHA2
    {24, 20},  // PURGATORY_DIGEST_ENGINE_PPC64_VECTOR
    {44, 10},  // PURGATORY_DIGEST_ENGINE_X86_SSSE3
};
static_assert(sizeof(engine_names) == 54 + 1);

void append_engine_name(Text& line, const Verdict& verdict) {
  const std::uint32_t engine = verdict.engine;
  const NameSpan span = engine_name_spans[engine < std::size(engine_name_spans) ? engine : 0];
  line << std::string_view(engine_names + span.offset, span.length);
  if (verdict.engine_flags & PURGATORY_DIGEST_CACHES_ON) line << ", caches on";
  if (arch_has(PURGATORY_FEATURE_VERIFY_EACH_SEGMENT) && (verdict.engine_flags & PURGATORY_DIGEST_TWO_LANES)) {
    line << ", two lanes";
  }
}

// "N segments", "1 segment".
void append_count(Text& line, std::uint64_t count) {
  line << Decimal{count} << " segment";
  if (count != 1) line << 's';
}

void print_problem(Console& console, std::string_view lead, const purgatory_info& request, const char* problem,
                   std::uint32_t segment) {
  Text line;
  line << lead << problem;
  if (segment != PURGATORY_NO_SEGMENT) {
    line << ": ";
    append_segment_name(line, request, segment);
  }
  console.write_line(line);
}

}  // namespace

ImagePlacement Session::placement() {
  const auto start = reinterpret_cast<std::uintptr_t>(__purgatory_image_start);
  const auto end = reinterpret_cast<std::uintptr_t>(__purgatory_memory_end);
  return {.elf_machine = PURGATORY_ARCH_ELF_MACHINE, .load_address = start, .memory_size = end - start};
}

Session::Session(purgatory_info& block)
    : block_(block), request_(block), console_(request_.console, block.result) {
  reporting_session = this;
  reporting_a_fault = false;
  fault_handlers_problem_ = arch::install_fault_handlers(request_, saved_);
  if (console_usable(request_, console_problem_)) console_.use_device();
}

Session::~Session() {
  if (reporting_session == this) reporting_session = nullptr;
}

void append_segment_name(Text& line, const purgatory_info& request, std::uint32_t segment) {
  line << "segment " << Decimal{segment};
  if (segment >= PURGATORY_MAX_SEGMENTS) return;
  const std::uint8_t origin = request.segment_origin[segment];
  if (origin == PURGATORY_ORIGIN_UNSAID) return;
  if (origin == PURGATORY_ORIGIN_PPC64_LOW_MEMORY) {
    line << ", ppc64 low memory";
    return;
  }
  bool shared = false;
  for (std::uint32_t i = 0; i < request.segment_count && i < PURGATORY_MAX_SEGMENTS; ++i) {
    shared |= i != segment && request.segment_origin[i] == origin;
  }
  if (shared) {
    line << ", part of the loader's segment " << Decimal{origin - 1u};
  } else if (origin - 1u != segment) {
    line << ", the loader's segment " << Decimal{origin - 1u};
  }
}

void announce(Session& session) {
  const purgatory_info& request = session.request();
  session.result().status = PURGATORY_STATUS_RUNNING;
  session.result().failed_segment = PURGATORY_NO_SEGMENT;
  Text line;
  line << "purgatory-sdk " PURGATORY_SDK_VERSION " (" << arch::name() << "): ";
  append_count(line, request.segment_count);
  line << " to verify";
  session.console().write_line(line);
  if (const RuleViolation problem = session.console_violation()) {
    print_problem(session.console(), "purgatory: console not used: ", request, problem.what, problem.segment);
  }
  if (const char* problem = session.fault_handlers_problem()) {
    print_problem(session.console(), "purgatory: faults go unreported: ", request, problem, PURGATORY_NO_SEGMENT);
  }
}

bool verify_and_report(Session& session) {
  const purgatory_info& request = session.request();
  Console& console = session.console();
  const Verdict verdict = check_and_verify(request, session.saved_state());
  record_verdict(session.result(), verdict);

  Text line;
  line << "purgatory: ";
  switch (verdict.status) {
    case PURGATORY_STATUS_VERIFIED:
      line << "SHA-256 ok: ";
      append_count(line, request.segment_count);
      line << ", ";
      if (arch_has(PURGATORY_FEATURE_VERIFY_EACH_SEGMENT) && (request.flags & PURGATORY_FLAG_VERIFY_EACH_SEGMENT)) {
        line << "each by its own digest, ";
      }
      line << Decimal{verdict.bytes_hashed} << " bytes (";
      append_engine_name(line, verdict);
      line << ')';
      console.write_line(line);
      return true;
    case PURGATORY_STATUS_UNVERIFIED:
      line << "verification skipped at the loader's request";
      console.write_line(line);
      return true;
    case PURGATORY_STATUS_BAD_INFO:
      print_problem(console, "purgatory: cannot verify: ", request, verdict.problem, verdict.failed_segment);
      return false;
    default:
      break;
  }

  if (verdict.failed_segment == PURGATORY_NO_SEGMENT) {
    line << "SHA-256 MISMATCH over all segments, though each segment matches its own digest "
            "(the loader's digests disagree)";
    console.write_line(line);
    Text computed;
    computed << "  computed " << HexBytes{verdict.computed};
    console.write_line(computed);
    return false;
  }
  const purgatory_segment& segment = request.segments[verdict.failed_segment];
  line << "SHA-256 MISMATCH in ";
  append_segment_name(line, request, verdict.failed_segment);
  line << " (" << Hex{segment.start} << ", " << Decimal{segment.size} << " bytes; ";
  append_engine_name(line, verdict);
  line << ')';
  console.write_line(line);
  Text expected, computed;
  expected << "  expected " << HexBytes{segment.sha256};
  computed << "  computed " << HexBytes{verdict.computed};
  console.write_line(expected);
  console.write_line(computed);
  return false;
}

void stop_after_failure(Session& session) {
  Console& console = session.console();
  console.write("purgatory: not booting the next kernel; ");
  if (session.request().flags & PURGATORY_FLAG_RESET_ON_FAILURE) {
    console.write("resetting\n");
    arch::reset(session.request().reset);
    console.write("purgatory: the reset did not happen; halted\n");
  } else {
    console.write("halted\n");
  }
  arch::halt();
}

void make_copies(Session& session) {
  const purgatory_info& request = session.request();
  for (const purgatory_copy& copy : request.copies) {
    if (copy.size == 0) continue;
    // Plain loops (-ffreestanding keeps them loops): the source may be physical address 0, which
    // memcpy's contract does not allow.
    const auto destination = static_cast<std::uintptr_t>(copy.destination), source = static_cast<std::uintptr_t>(copy.source);
    if ((destination | source | copy.size) % 8 == 0) {
      auto* to = reinterpret_cast<std::uint64_t*>(destination);
      const auto* from = reinterpret_cast<const std::uint64_t*>(source);
      for (std::uint64_t i = 0; i < copy.size / 8; ++i) to[i] = from[i];
    } else {
      auto* to = reinterpret_cast<std::uint8_t*>(destination);
      const auto* from = reinterpret_cast<const std::uint8_t*>(source);
      for (std::uint64_t i = 0; i < copy.size; ++i) to[i] = from[i];
    }
    Text line;
    line << "purgatory: copied " << Decimal{copy.size} << " bytes from " << Hex{copy.source} << " to "
         << Hex{copy.destination};
    session.console().write_line(line);
  }
}

void boot_next_kernel(Session& session) {
  make_copies(session);
  const purgatory_info& request = session.request();
  Text line;
  line << "purgatory: booting next kernel at " << Hex{next_kernel_entry(request, PURGATORY_ARCH_ELF_MACHINE)};
  session.console().write_line(line);
  reporting_session = nullptr;  // the arch puts back the exception vectors it found
  arch::enter_next_kernel(request, session.saved_state());
}

void run(purgatory_info& block) {
  Session session(block);
  announce(session);
  if (!verify_and_report(session)) stop_after_failure(session);
  boot_next_kernel(session);
}

void handle_fault(const Fault& fault) {
  Session* session = reporting_session;
  if (session == nullptr || reporting_a_fault) arch::halt();
  reporting_a_fault = true;
  const purgatory_info& request = session->request();
  std::uint32_t segment = PURGATORY_NO_SEGMENT;
  for (std::uint32_t i = 0; fault.address_known && i < request.segment_count && i < PURGATORY_MAX_SEGMENTS; ++i) {
    const purgatory_segment& candidate = request.segments[i];
    if (fault.address >= candidate.start && fault.address - candidate.start < candidate.size) segment = i;
  }
  session->result().status = PURGATORY_STATUS_FAULT;
  session->result().failed_segment = segment;

  Text line;
  line << "purgatory: FAULT: " << std::string_view(fault.kind) << ' ' << Hex{fault.number} << " ("
       << std::string_view(fault.detail_name) << ' ' << Hex{fault.detail} << ") at pc " << Hex{fault.pc};
  session->console().write_line(line);
  if (fault.address_known) {
    Text where;
    where << "purgatory: the address was " << Hex{fault.address};
    if (segment != PURGATORY_NO_SEGMENT) {
      const purgatory_segment& hashed = request.segments[segment];
      where << ", in ";
      append_segment_name(where, request, segment);
      where << " (" << Hex{hashed.start} << ", " << Decimal{hashed.size} << " bytes)";
    }
    session->console().write_line(where);
  }
  stop_after_failure(*session);
}

}  // namespace purgatory
