#include <purgatory/boot.h>

#include <purgatory/arch.h>
#include <purgatory/arch_features.h>
#include <purgatory/verify.h>

// The purgatory's own memory, from the linker script: a segment there would be checked while the
// purgatory itself writes into it (its result and log), and could never match.
extern "C" char __purgatory_image_start[], __purgatory_memory_end[];

namespace purgatory {
namespace {

Verdict check_and_verify(purgatory_info& info) {
  Verdict verdict;
  if (const char* problem = info_problem(info)) {
    verdict.status = PURGATORY_STATUS_BAD_INFO;
    verdict.problem = problem;
    return verdict;
  }
  const auto begin = reinterpret_cast<std::uintptr_t>(__purgatory_image_start);
  const auto end = reinterpret_cast<std::uintptr_t>(__purgatory_memory_end);
  verdict.failed_segment = first_segment_overlapping(info, begin, end);
  if (verdict.failed_segment != PURGATORY_NO_SEGMENT) {
    verdict.status = PURGATORY_STATUS_BAD_INFO;
    verdict.problem = "a segment overlaps the purgatory's own memory";
    return verdict;
  }
  // Only now may the arch act on what the block says (ppc64 restores low memory from it).
  arch::before_verification(info);
  return verify_segments(info, arch::select_digest_engine((info.flags & PURGATORY_FLAG_NO_HARDWARE_DIGEST) == 0));
}

// The engines' names as one string and a table of integer offsets into it: a table of string pointers,
// which a switch over literals also becomes once optimised, would need relocating.
constexpr char engine_names[] = "portable" "sha-ni" "armv8 sha2" "power8 vector crypto";
struct NameSpan {
  std::uint8_t offset, length;
};
constexpr NameSpan engine_name_spans[] = {
    {0, 8},    // PURGATORY_DIGEST_ENGINE_NONE: nothing hashed, shown as the default
    {0, 8},    // PURGATORY_DIGEST_ENGINE_PORTABLE
    {8, 6},    // PURGATORY_DIGEST_ENGINE_X86_SHA_NI
    {14, 10},  // PURGATORY_DIGEST_ENGINE_ARM64_SHA2
    {24, 20},  // PURGATORY_DIGEST_ENGINE_PPC64_VECTOR
};
static_assert(sizeof(engine_names) == 44 + 1);

void append_engine_name(Text& line, const Verdict& verdict) {
  const std::uint32_t engine = verdict.engine;
  const NameSpan span = engine_name_spans[engine < std::size(engine_name_spans) ? engine : 0];
  line << std::string_view(engine_names + span.offset, span.length);
  if (verdict.engine_flags & PURGATORY_DIGEST_CACHES_ON) line << ", caches on";
  if (arch_has(PURGATORY_FEATURE_VERIFY_EACH_SEGMENT) && (verdict.engine_flags & PURGATORY_DIGEST_TWO_LANES)) {
    line << ", two lanes";
  }
}

}  // namespace

void announce(purgatory_info& info, Console& console) {
  info.result.status = PURGATORY_STATUS_RUNNING;
  info.result.failed_segment = PURGATORY_NO_SEGMENT;
  Text line;
  line << "purgatory-sdk " PURGATORY_SDK_VERSION " (" << arch::name() << "): "
       << Decimal{info.segment_count} << " segment";
  if (info.segment_count != 1) line << 's';
  line << " to verify";
  console.write_line(line);
}

bool verify_and_report(purgatory_info& info, Console& console) {
  const Verdict verdict = check_and_verify(info);
  record_verdict(info, verdict);

  Text line;
  line << "purgatory: ";
  switch (verdict.status) {
    case PURGATORY_STATUS_VERIFIED:
      line << "SHA-256 ok: " << Decimal{info.segment_count} << " segments, ";
      if (arch_has(PURGATORY_FEATURE_VERIFY_EACH_SEGMENT) && (info.flags & PURGATORY_FLAG_VERIFY_EACH_SEGMENT)) {
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
      line << "cannot verify: " << verdict.problem;
      if (verdict.failed_segment != PURGATORY_NO_SEGMENT) line << " (segment " << Decimal{verdict.failed_segment} << ')';
      console.write_line(line);
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
  const purgatory_segment& segment = info.segments[verdict.failed_segment];
  line << "SHA-256 MISMATCH in segment " << Decimal{verdict.failed_segment} << " (" << Hex{segment.start}
       << ", " << Decimal{segment.size} << " bytes; ";
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

void stop_after_failure(purgatory_info& info, Console& console) {
  console.write("purgatory: not booting the next kernel; ");
  if (info.flags & PURGATORY_FLAG_RESET_ON_FAILURE) {
    console.write("resetting\n");
    arch::reset(info.reset);
  }
  console.write("halted\n");
  arch::halt();
}

void boot_next_kernel(purgatory_info& info, Console& console) {
  Text line;
  line << "purgatory: booting next kernel at " << Hex{arch::next_kernel_entry(info.next)};
  console.write_line(line);
  arch::boot_next_kernel(info);
}

void run(purgatory_info& info) {
  Console console(info);
  announce(info, console);
  if (!verify_and_report(info, console)) stop_after_failure(info, console);
  boot_next_kernel(info, console);
}

}  // namespace purgatory
