// SPDX-License-Identifier: MIT
// kexec-loader's crash-load parts: the ELF core header (read back by binutils' readelf, for every arch
// and both byte orders), what the running kernel publishes for it, the crash reservation, the crash
// kernel's command line and x86_64 memory map.
#include <stdlib.h>

#include <array>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "crash_dump.h"
#include "vmcore.h"
#include "memory_map.h"

using namespace kexec_loader;
using purgatory::host::Arch;
namespace fs = std::filesystem;

namespace {

// A directory of its own under the system's temporary directory, removed afterwards.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "crash-dump-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// readelf's report on `bytes`, as a program that knows nothing of ours reads them.
std::string readelf(const std::vector<std::byte>& bytes, const char* options) {
  TemporaryDirectory directory;
  const fs::path file = directory.path() / "core-header";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  const std::string command = std::string(PURGATORY_READELF) + " " + options + " " + file.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 4096> buffer;
  while (const std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  REQUIRE(pclose(pipe) == 0);
  return output;
}

// readelf -l's program header lines, numbers without leading zeros: "LOAD 0x100000 0xffff... RWE".
std::vector<std::string> program_headers(const std::string& report) {
  std::vector<std::string> lines;
  std::istringstream stream(report);
  for (std::string line; std::getline(stream, line);) {
    std::istringstream words(line);
    std::string type;
    words >> type;
    if (type != "NOTE" && type != "LOAD") continue;
    std::string normalised = type;
    for (std::string word; words >> word;) {
      if (word.starts_with("0x")) word = fmt::format("{:#x}", std::stoull(word, nullptr, 16));
      if (word == "0") break;  // the alignment, always 0 here
      normalised += " " + word;
    }
    lines.push_back(normalised);
  }
  return lines;
}

CoreHeaderRequest two_cpu_request(Arch arch) {
  CoreHeaderRequest request{arch, {{0x7fc1d000, 0x1c4}, {0x7fc3d000, 0x1c4}}, {0x1a2b000, 0x1024}, {}};
  request.loads = {{0x100000, 0xffff888000100000, 0xf00000}, {0x20000000, 0xffff888020000000, 0x5ffe0000}};
  return request;
}

}  // namespace

TEST_CASE("Core header: readelf reads ET_CORE, the machine, a note per CPU, VMCOREINFO and the loads", "[loader]") {
  struct Case {
    Arch arch;
    const char* machine;
    const char* data;
  };
  const Case cases[] = {{Arch::x86_64, "Advanced Micro Devices X86-64", "little endian"},
                        {Arch::arm64, "AArch64", "little endian"},
                        {Arch::ppc64le, "PowerPC64", "little endian"},
                        {Arch::ppc64, "PowerPC64", "big endian"}};
  for (const auto& c : cases) {
    DYNAMIC_SECTION(purgatory::host::name_of(c.arch)) {
      const auto header = build_core_header(two_cpu_request(c.arch));
      REQUIRE(header.ok());
      CHECK(header->size() == 64 + 5 * 56);
      const std::string report = readelf(*header, "-h -l -W");
      INFO(report);
      CHECK_THAT(report, Catch::Contains("ELF64"));
      CHECK_THAT(report, Catch::Contains("Start of program headers:          64 (bytes into file)"));
      CHECK_THAT(report, Catch::Contains(c.data));
      CHECK_THAT(report, Catch::Contains("CORE (Core file)"));
      CHECK_THAT(report, Catch::Contains(std::string("Machine:                           ") + c.machine));
      CHECK_THAT(report, Catch::Contains("Number of program headers:         5"));
      // Notes and loads: p_offset = p_paddr, the old kernel's physical memory.
      const std::vector<std::string> expected = {
          "NOTE 0x7fc1d000 0x0 0x7fc1d000 0x1c4 0x1c4",
          "NOTE 0x7fc3d000 0x0 0x7fc3d000 0x1c4 0x1c4",
          "NOTE 0x1a2b000 0x0 0x1a2b000 0x1024 0x1024",
          "LOAD 0x100000 0xffff888000100000 0x100000 0xf00000 0xf00000 RWE",
          "LOAD 0x20000000 0xffff888020000000 0x20000000 0x5ffe0000 0x5ffe0000 RWE"};
      CHECK(program_headers(report) == expected);
    }
  }
}

TEST_CASE("Core header: what the crash kernel would call not sane is refused", "[loader]") {
  auto request = two_cpu_request(Arch::x86_64);
  request.loads.clear();
  CHECK_THAT(build_core_header(request).error().message, Catch::Contains("at least one memory range"));
  request = two_cpu_request(Arch::x86_64);
  request.vmcoreinfo = {};
  CHECK_THAT(build_core_header(request).error().message, Catch::Contains("VMCOREINFO"));
  request = two_cpu_request(Arch::x86_64);
  request.cpu_notes.assign(0xffff, {0x1000, 0x100});
  CHECK_THAT(build_core_header(request).error().message, Catch::Contains("e_phnum holds at most 65534"));
  request = two_cpu_request(Arch::x86_64);
  request.loads.push_back({0xfffffffffffff000, 0, 0x2000, std::nullopt});
  CHECK_THAT(build_core_header(request).error().message, Catch::Contains("cannot be dumped"));
}

TEST_CASE("Crash notes and VMCOREINFO: read as sysfs prints them", "[loader]") {
  TemporaryDirectory root;
  const fs::path cpus = root.path() / "cpu";
  write_text(cpus / "cpu10" / "crash_notes", "7fd3d000\n");
  write_text(cpus / "cpu10" / "crash_notes_size", "456\n");
  write_text(cpus / "cpu2" / "crash_notes", "7fc1d000\n");
  write_text(cpus / "cpu2" / "crash_notes_size", "452\n");
  write_text(cpus / "cpufreq" / "boost", "0\n");
  write_text(cpus / "cpu3" / "online", "1\n");  // no crash_notes: skipped
  const auto notes = read_crash_notes(cpus);
  REQUIRE(notes.ok());
  REQUIRE(notes->size() == 2);
  CHECK(notes->at(0).address == 0x7fc1d000);  // CPU order, not the directory's
  CHECK(notes->at(0).size == 452);
  CHECK(notes->at(1).address == 0x7fd3d000);

  write_text(cpus / "cpu4" / "crash_notes", "not hex\n");
  write_text(cpus / "cpu4" / "crash_notes_size", "452\n");
  CHECK_THAT(read_crash_notes(cpus).error().message, Catch::Contains("cpu4/crash_notes{,_size}: unreadable"));
  CHECK_THAT(read_crash_notes(root.path() / "none").error().message, Catch::Contains("none"));

  write_text(root.path() / "vmcoreinfo", "1a2b000 1024\n");
  const auto info = read_vmcoreinfo(root.path() / "vmcoreinfo");
  REQUIRE(info.ok());
  CHECK(info->address == 0x1a2b000);
  CHECK(info->size == 0x1024);
  CHECK_THAT(read_vmcoreinfo(root.path() / "missing").error().message, Catch::Contains("unreadable"));
}

TEST_CASE("/proc/iomem: the crash reservation, and the RAM to dump around it", "[loader]") {
  const auto summary = parse_iomem(
      "00001000-0009fbff : System RAM\n"
      "00100000-bffdffff : System RAM\n"
      "  1e000000-1e00ffff : Kernel code\n"
      "  a7000000-b6ffffff : Crash kernel\n"
      "100000000-13fffffff : System RAM\n");
  REQUIRE(summary.ok());
  REQUIRE(summary->crash.size() == 1);
  CHECK(summary->crash[0].start == 0xa7000000);
  CHECK(summary->crash[0].end == 0xb7000000);
  const auto dumped = subtract_ranges(summary->ram, summary->crash);
  REQUIRE(dumped.size() == 4);
  CHECK(dumped[1].start == 0x100000);
  CHECK(dumped[1].end == 0xa7000000);
  CHECK(dumped[2].start == 0xb7000000);
  CHECK(dumped[2].end == 0xbffe0000);
  CHECK(dumped[3].start == 0x100000000);

  const auto usable = crash_ranges_for_load(summary->crash, summary->ram, 64 << 20, "iomem");
  REQUIRE(usable.ok());
  CHECK(usable->at(0).type == "System RAM");
  CHECK_THAT(crash_ranges_for_load(summary->crash, summary->ram, 300 << 20, "iomem").error().message,
             Catch::Contains("the crash kernel memory is 268435456 bytes (256 MiB) and the crash load needs at least "
                             "314572800 bytes (300 MiB)"));
  CHECK_THAT(crash_ranges_for_load({}, summary->ram, 1, "/tmp/iomem has no \"Crash kernel\" range").error().message,
             Catch::Contains("reserved (/tmp/iomem has no \"Crash kernel\" range): boot the running kernel with "
                             "crashkernel=SIZE"));
}

TEST_CASE("/proc/iomem: a crash reservation outside RAM, or two that overlap, is refused", "[loader]") {
  const std::vector<MemoryRange> ram{{0x1000, 0xa0000, "System RAM"}, {0x100000, 0xc0000000, "System RAM"}};
  const auto refused = [&](std::vector<MemoryRange> crash) {
    const auto result = crash_ranges_for_load(crash, ram, 1, "iomem");
    REQUIRE_FALSE(result.ok());
    return result.error().message;
  };
  // In the hole between two RAM ranges, past the end of RAM, and straddling a RAM range's end.
  CHECK_THAT(refused({{0xa0000, 0x100000, "Crash kernel"}}),
             Catch::Contains("the crash kernel memory [0xa0000, 0x100000) is not inside System RAM"));
  CHECK_THAT(refused({{0x100000000, 0x110000000, "Crash kernel"}}), Catch::Contains("is not inside System RAM"));
  CHECK_THAT(refused({{0x80000, 0x180000, "Crash kernel"}}), Catch::Contains("[0x80000, 0x180000) is not inside"));
  CHECK_THAT(refused({{0x2000000, 0x2000000, "Crash kernel"}}), Catch::Contains("is not inside System RAM"));
  CHECK_THAT(refused({{0x10000000, 0x20000000, "Crash kernel"}, {0x18000000, 0x28000000, "Crash kernel (low)"}}),
             Catch::Contains("[0x10000000, 0x20000000) and [0x18000000, 0x28000000) overlap"));
  // No RAM known: nothing can be inside it.
  CHECK_FALSE(crash_ranges_for_load({{0x10000000, 0x20000000, "Crash kernel"}}, {}, 1, "iomem").ok());
  // A reservation across two System RAM lines that meet (memory added in blocks) is inside RAM.
  const std::vector<MemoryRange> blocks{{0x20000000, 0x30000000, "System RAM"}, {0x10000000, 0x20000000, "System RAM"}};
  CHECK(crash_ranges_for_load({{0x18000000, 0x28000000, "Crash kernel"}}, blocks, 1, "iomem").ok());
  CHECK_FALSE(crash_ranges_for_load({{0x18000000, 0x38000000, "Crash kernel"}}, blocks, 1, "iomem").ok());
  // Two disjoint ranges, each inside RAM, are fine.
  const auto two = crash_ranges_for_load({{0x10000, 0x20000, "Crash kernel (low)"}, {0x10000000, 0x20000000, "Crash kernel"}},
                                         ram, 0x20000, "iomem");
  REQUIRE(two.ok());
  CHECK(two->size() == 2);
}

TEST_CASE("Crash command line: crashkernel= dropped, the arch's recommendations unless given", "[loader]") {
  CHECK(crash_command_line("console=ttyS0 crashkernel=256M root=/dev/vda", Arch::x86_64, 0xb6fff000) ==
        "console=ttyS0 root=/dev/vda irqpoll nr_cpus=1 reset_devices elfcorehdr=0xb6fff000");
  CHECK(crash_command_line("nr_cpus=2  console=ttyAMA0 elfcorehdr=0x1", Arch::arm64, 0x2000) ==
        "nr_cpus=2 console=ttyAMA0 reset_devices elfcorehdr=0x2000");
  CHECK(crash_command_line("", Arch::ppc64le, 0x3000) == "maxcpus=1 noirqdistrib reset_devices elfcorehdr=0x3000");
  // After "--" the words are init's: the kernel's options go before it, and init's are left as given
  // (an elfcorehdr= there would be init's business, not the kernel's).
  CHECK(crash_command_line("console=ttyS0 -- single elfcorehdr=7", Arch::x86_64, 0xa7000000) ==
        "console=ttyS0 irqpoll nr_cpus=1 reset_devices elfcorehdr=0xa7000000 -- single elfcorehdr=7");
}

TEST_CASE("x86_64 crash e820: low RAM, firmware tables, the reservation, and no other RAM", "[loader]") {
  const std::vector<MemoryRange> firmware = {{0x0, 0x9fc00, "System RAM"},
                                             {0x9fc00, 0xa0000, "Reserved"},
                                             {0xf0000, 0x100000, "Reserved"},
                                             {0x100000, 0xbffe0000, "System RAM"},
                                             {0xbffe0000, 0xc0000000, "Reserved"},
                                             {0xc0000000, 0xc0010000, "ACPI Tables"},
                                             {0x100000000, 0x140000000, "System RAM"}};
  const auto map = x86_64_crash_memory_map(firmware, {{0xa7000000, 0xb7000000, "Crash kernel"}});
  REQUIRE(map.size() == 6);
  CHECK(map[0].start == 0);
  CHECK(map[0].end == 0x9fc00);
  CHECK(map[0].type == "System RAM");
  CHECK(map[3].start == 0xa7000000);
  CHECK(map[3].end == 0xb7000000);
  CHECK(map[3].type == "System RAM");
  CHECK(map[5].type == "ACPI Tables");
  for (const auto& range : map) CHECK_FALSE((range.type == "System RAM" && range.start == 0x100000000));
}

namespace {

void put(std::vector<std::byte>& bytes, std::size_t at, std::uint64_t value, unsigned width, bool big) {
  for (unsigned i = 0; i < width; ++i) bytes[at + i] = static_cast<std::byte>(value >> (8 * (big ? width - 1 - i : i)));
}

// An ELF note: name (padded to 4), description of `size` bytes of `fill`.
std::size_t put_note(std::vector<std::byte>& bytes, std::size_t at, const std::string& name, std::uint32_t type,
                     std::size_t size, bool big) {
  put(bytes, at, name.size() + 1, 4, big);
  put(bytes, at + 4, size, 4, big);
  put(bytes, at + 8, type, 4, big);
  std::memcpy(bytes.data() + at + 12, name.c_str(), name.size() + 1);
  return 12 + (name.size() + 1 + 3) / 4 * 4 + (size + 3) / 4 * 4;
}

}  // namespace

TEST_CASE("A dump read back: CPU notes, VMCOREINFO, and strings anywhere in its memory", "[loader]") {
  for (const Arch arch : {Arch::x86_64, Arch::ppc64}) {
    DYNAMIC_SECTION(purgatory::host::name_of(arch)) {
      const bool big = arch == Arch::ppc64;
      // A core file laid out as /proc/vmcore presents one: offsets are file offsets.
      constexpr std::size_t notes_at = 0x1000, memory_at = 0x4000, memory_size = 20 << 20;
      std::vector<std::byte> file(memory_at + memory_size);
      std::size_t notes_size = put_note(file, notes_at, "CORE", 1, 336, big);
      notes_size += put_note(file, notes_at + notes_size, "CORE", 1, 336, big);
      const std::size_t vmcoreinfo_at = notes_at + notes_size;
      const std::size_t vmcoreinfo_size = put_note(file, vmcoreinfo_at, "VMCOREINFO", 0, 14, big);
      const CoreHeaderRequest request{arch, {{notes_at, notes_size}}, {vmcoreinfo_at, vmcoreinfo_size},
                                      {{memory_at, 0, memory_size}}};
      const auto header = build_core_header(request);
      REQUIRE(header.ok());
      std::memcpy(file.data(), header->data(), header->size());
      const std::string across = "MARKER-ACROSS-THE-8-MIB-PIECES";  // straddles the reader's first piece
      std::memcpy(file.data() + memory_at + (8 << 20) - 10, across.data(), across.size());
      const std::string at_end = "MARKER-AT-THE-END";
      std::memcpy(file.data() + file.size() - at_end.size(), at_end.data(), at_end.size());

      TemporaryDirectory directory;
      const fs::path path = directory.path() / "vmcore";
      std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(file.data()),
                                                  static_cast<std::streamsize>(file.size()));
      const auto summary = describe_vmcore(path.string(), {across, at_end, "MARKER-NOWHERE"});
      REQUIRE(summary.ok());
      CHECK(summary->elf_type == 4);
      CHECK(summary->arch == arch);
      CHECK(summary->prstatus_notes == 2);
      CHECK(summary->vmcoreinfo_size == 14);
      CHECK(summary->memory_ranges == 1);
      CHECK(summary->memory_bytes == memory_size);
      CHECK(summary->found == std::vector<bool>{true, true, false});

      // Cut short: an error naming where it ends, never a crash.
      fs::resize_file(path, memory_at + 4096);
      CHECK_THAT(describe_vmcore(path.string(), {at_end}).error().message, Catch::Contains("ends at 0x5000"));
      CHECK_THAT(describe_vmcore((directory.path() / "none").string(), {}).error().message, Catch::Contains("cannot open"));
    }
  }
}

TEST_CASE("A dump read back: the kernel log, found through VMCOREINFO's printk ring", "[loader]") {
  for (const Arch arch : {Arch::arm64, Arch::ppc64}) {
    DYNAMIC_SECTION(purgatory::host::name_of(arch)) {
      const bool big = arch == Arch::ppc64;
      constexpr std::size_t notes_at = 0x1000, memory_at = 0x4000, memory_size = 0x10000;
      constexpr std::uint64_t physical = 0x80000000, mapped_at = 0xffff000080000000;
      // Where the kernel keeps it: the pointer prb, the ring it points at, the ring's text data (2^12 bytes).
      constexpr std::uint64_t prb = mapped_at + 0x100, ring = mapped_at + 0x200, text = mapped_at + 0x1000;
      constexpr std::uint64_t text_ring_offset = 48, size_bits_offset = 0, data_offset = 8;
      const std::string vmcoreinfo = fmt::format(
          "OSRELEASE=6.1.0\nSYMBOL(prb)={:x}\nOFFSET(printk_ringbuffer.text_data_ring)={}\n"
          "OFFSET(prb_data_ring.size_bits)={}\nOFFSET(prb_data_ring.data)={}\n",
          prb, text_ring_offset, size_bits_offset, data_offset);
      std::vector<std::byte> file(memory_at + memory_size);
      std::size_t notes_size = put_note(file, notes_at, "CORE", 1, 336, big);
      const std::size_t vmcoreinfo_at = notes_at + notes_size;
      const std::size_t vmcoreinfo_size = put_note(file, vmcoreinfo_at, "VMCOREINFO", 0, vmcoreinfo.size(), big);
      std::memcpy(file.data() + vmcoreinfo_at + 24, vmcoreinfo.data(), vmcoreinfo.size());  // after "VMCOREINFO\0", padded
      const CoreHeaderRequest request{arch, {{notes_at, notes_size}}, {vmcoreinfo_at, vmcoreinfo_size},
                                      {{memory_at, mapped_at, memory_size}}};
      const auto header = build_core_header(request);
      REQUIRE(header.ok());
      std::memcpy(file.data(), header->data(), header->size());
      const auto at = [&](std::uint64_t address) { return memory_at + (address - mapped_at); };
      put(file, at(prb), ring - text_ring_offset, 8, big);
      put(file, at(ring + size_bits_offset), 12, 4, big);
      put(file, at(ring + data_offset), text, 8, big);
      const std::string logged = "KMSG-MARKER-IN-THE-RING", elsewhere = "KMSG-MARKER-OUTSIDE";
      std::memcpy(file.data() + at(text) + 0x800, logged.data(), logged.size());
      std::memcpy(file.data() + at(text) + 0x1000 + 0x10, elsewhere.data(), elsewhere.size());  // past the ring

      TemporaryDirectory directory;
      const fs::path path = directory.path() / "vmcore";
      std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(file.data()),
                                                  static_cast<std::streamsize>(file.size()));
      const auto summary = describe_vmcore(path.string(), {elsewhere}, {logged, elsewhere});
      REQUIRE(summary.ok());
      CHECK_FALSE(summary->log_problem);
      CHECK(summary->log_bytes == 4096);
      CHECK(summary->found_in_log == std::vector<bool>{true, false});
      CHECK(summary->found == std::vector<bool>{true});  // in memory, not in the log

      // A ring that points past what was dumped is said to, not read.
      put(file, at(ring + data_offset), mapped_at + memory_size, 8, big);
      std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(file.data()),
                                                  static_cast<std::streamsize>(file.size()));
      const auto outside = describe_vmcore(path.string(), {}, {logged});
      REQUIRE(outside.ok());
      REQUIRE(outside->log_problem);
      CHECK_THAT(*outside->log_problem, Catch::Contains("are in no dumped range"));
    }
  }
}

TEST_CASE("Virtual addresses of the dump: the linear map and x86_64's kernel text, from a kcore", "[loader]") {
  // A kcore as the running kernel shows it: the linear map of RAM, and the kernel text mapping.
  const CoreHeaderRequest kcore{Arch::x86_64, {}, {0x1000, 0x100},
                                {{0x100000, 0xffff9e0000100000, 0x3fee0000}, {0x31c00000, 0xffffffffa5c00000, 0x2400000}}};
  const auto bytes = build_core_header(kcore);
  REQUIRE(bytes.ok());
  TemporaryDirectory directory;
  const fs::path path = directory.path() / "kcore";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes->data()),
                                              static_cast<std::streamsize>(bytes->size()));
  const auto mappings = read_kernel_mappings(path.string(), Arch::x86_64);
  REQUIRE(mappings.ok());
  REQUIRE(mappings->ram.size() == 1);
  REQUIRE(mappings->text.has_value());
  CHECK(mappings->text->virtual_address == 0xffffffffa5c00000);

  const auto loads = loads_to_dump({{0x1000, 0x9fc00, "System RAM"}, {0x100000, 0x21000000, "System RAM"},
                                    {0x31000000, 0x3ffe0000, "System RAM"}},
                                   *mappings);
  REQUIRE(loads.size() == 4);
  CHECK(loads[0].virtual_address == 0);  // below the kcore's first RAM range: unknown, left 0
  CHECK(loads[1].virtual_address == 0xffff9e0000100000);
  CHECK(loads[2].virtual_address == 0xffff9e0031000000);
  CHECK(loads[2].size == 0x3ffe0000 - 0x31000000);
  CHECK(loads[3].physical == 0x31c00000);  // the text mapping, last
  CHECK(loads[3].virtual_address == 0xffffffffa5c00000);

  // arm64 has no separate text PT_LOAD in the dump: every mapped range is RAM.
  const auto arm64 = read_kernel_mappings(path.string(), Arch::arm64);
  REQUIRE(arm64.ok());
  CHECK(arm64->ram.size() == 2);
  CHECK_FALSE(arm64->text.has_value());
  CHECK_THAT(read_kernel_mappings((directory.path() / "none").string(), Arch::x86_64).error().message,
             Catch::Contains("cannot open"));
}

TEST_CASE("ppc64 core header: the first 64 KiB read from the backup the purgatory fills", "[loader][ppc64]") {
  const std::vector<CoreLoad> loads = {{0, 0xc000000000000000, 0x10000000, std::nullopt},
                                       {0x30000000, 0xc000000030000000, 0x50000000, std::nullopt}};
  const auto split = with_backup(loads, ppc64_backup_size, 0x2fff0000);
  REQUIRE(split.size() == 3);
  CHECK(split[0].physical == 0);
  CHECK(split[0].size == 0x10000);
  CHECK(split[0].saved_at == std::optional<std::uint64_t>{0x2fff0000});
  CHECK(split[1].physical == 0x10000);
  CHECK(split[1].virtual_address == 0xc000000000010000);
  CHECK(split[1].size == 0x10000000 - 0x10000);
  CHECK_FALSE(split[1].saved_at.has_value());
  CHECK(split[2].physical == 0x30000000);

  auto request = two_cpu_request(Arch::ppc64le);
  request.loads = split;
  const auto header = build_core_header(request);
  REQUIRE(header.ok());
  const std::string report = readelf(*header, "-l -W");
  INFO(report);
  const auto headers = program_headers(report);
  REQUIRE(headers.size() == 6);
  CHECK(headers[3] == "LOAD 0x2fff0000 0xc000000000000000 0x0 0x10000 0x10000 RWE");  // p_offset: the backup
  CHECK(headers[4] == "LOAD 0x10000 0xc000000000010000 0x10000 0xfff0000 0xfff0000 RWE");
}

TEST_CASE("ppc64: the crash reservation from the live tree's /chosen, as the kernel publishes it", "[loader][ppc64]") {
  const TemporaryDirectory temporary;
  const fs::path& dir = temporary.path();
  fs::create_directories(dir / "chosen");
  const auto write = [&](const char* name, std::vector<unsigned char> bytes) {
    std::ofstream(dir / "chosen" / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                                 static_cast<std::streamsize>(bytes.size()));
  };
  CHECK(read_crash_reservation_from_device_tree(dir).value().empty());  // none reserved
  write("linux,crashkernel-base", {0, 0, 0, 0, 0x20, 0, 0, 0});
  write("linux,crashkernel-size", {0, 0, 0, 0, 0x20, 0, 0, 0});
  const auto ranges = read_crash_reservation_from_device_tree(dir);
  REQUIRE(ranges.ok());
  REQUIRE(ranges->size() == 1);
  CHECK(ranges->front().start == 0x20000000);
  CHECK(ranges->front().end == 0x40000000);
  write("linux,crashkernel-size", {0, 0, 0x20, 0});
  const auto refused = read_crash_reservation_from_device_tree(dir);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("are not two 8-byte values"));
}
