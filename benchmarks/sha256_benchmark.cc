// SPDX-License-Identifier: MIT
// SHA-256 throughput: the SDK's portable core and hardware engine against OpenSSL's libcrypto, with all
// its accelerations and with its SHA extensions masked (OPENSSL_ia32cap), on buffers from 4 KiB to
// 256 MiB. Google Benchmark measures (median of repetitions); the summary prints the figures and the
// ratios side by side. "two-lanes" is the buffer verified as the purgatory verifies two segments with
// PURGATORY_FLAG_VERIFY_EACH_SEGMENT: its halves hashed side by side, each to its own digest (where the
// engine has no two-lane form, one half after the other). "images-portable" is the portable core as
// purgatory images compile it (the compact form, -Os), their path on CPUs without SHA instructions; on
// x86_64 "ssse3+bmi2" is the engine the purgatory picks on those CPUs instead, and a second table sets
// the two side by side with OpenSSL's SHA extensions masked, as on such a CPU.
//
//   sha256-benchmark                 the table (spawns itself once more for masked OpenSSL)
//   sha256-benchmark --quick         every table from two small buffers and short runs: shows that the
//                                    program works (host-tests/benchmark/script_quick_test.sh), no figure to report
//   sha256-benchmark --instructions ENGINE BYTES
//                                    hash BYTES once with ENGINE with callgrind collecting only then
//                                    (run under valgrind --tool=callgrind --collect-atstart=no); prints
//                                    the engine that ran, BYTES and the digest (every engine's must agree:
//                                    host-tests/benchmark/engines_agree_test.sh)
//
// Engines: portable, images-portable, hardware, ssse3+bmi2 (x86_64), two-lanes, openssl. Not a test: it asserts nothing, it measures.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <valgrind/callgrind.h>

#include <purgatory/host/sha256_engine.h>
#include <purgatory/sha256.h>
#if defined(__x86_64__)
#include <purgatory/sha256_vector_schedule.h>
#endif

#include "images_portable_core.h"

extern char** environ;

namespace {

// What to measure and for how long: the real run, or --quick.
struct Plan {
  std::vector<std::size_t> sizes;
  int repetitions;        // per figure; the median is reported
  double min_seconds;     // per repetition, tripled for buffers of 64 MiB and more
  int chain_blocks;       // blocks per run of the sha256rnds2 chains
  bool quick;
};

Plan plan_for(bool quick) {
  if (quick) return {{4 << 10, 64 << 10}, 2, 0.01, 20'000, true};
  return {{4 << 10, 64 << 10, 1 << 20, 8 << 20, 64 << 20, 256 << 20}, 5, 0.2, 2'000'000, false};
}

std::vector<std::uint8_t>& buffer(std::size_t size) {
  static std::map<std::size_t, std::vector<std::uint8_t>> buffers;
  auto& bytes = buffers[size];
  if (bytes.empty()) {
    bytes.resize(size);
    std::uint64_t state = 0x243f6a8885a308d3;
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>((state = state * 6364136223846793005u + 1) >> 56);
  }
  return bytes;
}

// Null: the host form of the portable core.
purgatory::Sha256BlockFunction block_function(const std::string& engine) {
  if (engine == "hardware") return purgatory::host::host_sha256_blocks();
  if (engine == "images-portable") return images_portable_blocks;
#if defined(__x86_64__)
  if (engine == "ssse3+bmi2") return purgatory::sha256_vector_schedule::blocks;
#endif
  return nullptr;
}

purgatory::Sha256Digest hash_with(const std::string& engine, const std::uint8_t* data, std::size_t size) {
  purgatory::Sha256Digest digest{};
  if (engine == "openssl") {
    unsigned int length = 0;
    EVP_Digest(data, size, digest.data(), &length, EVP_sha256(), nullptr);
    return digest;
  }
  if (engine == "two-lanes") {
    const std::size_t half = size / 2, together = half / purgatory::sha256_block_size;
    purgatory::Sha256 first(purgatory::host::host_sha256_blocks()), second(purgatory::host::host_sha256_blocks());
    if (const auto two_lanes = purgatory::host::host_sha256_two_lanes()) {
      update_side_by_side(first, data, second, data + half, together, two_lanes);
    } else {
      first.update(data, together * purgatory::sha256_block_size);
      second.update(data + half, together * purgatory::sha256_block_size);
    }
    const std::size_t done = together * purgatory::sha256_block_size;
    first.update(data + done, half - done);
    second.update(data + half + done, size - half - done);
    const auto first_digest = first.finish(), second_digest = second.finish();
    for (std::size_t i = 0; i < digest.size(); ++i) digest[i] = first_digest[i] ^ second_digest[i];
    return digest;
  }
  purgatory::Sha256 hasher(block_function(engine));
  hasher.update(data, size);
  return hasher.finish();
}

void register_engine(const std::string& engine, const Plan& plan) {
  for (std::size_t size : plan.sizes) {
    benchmark::RegisterBenchmark(fmt::format("{}/{}", engine, size).c_str(), [engine, size](benchmark::State& state) {
      const auto& bytes = buffer(size);
      for (auto _ : state) benchmark::DoNotOptimize(hash_with(engine, bytes.data(), bytes.size()));
      state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
    })->UseRealTime()->MinTime(size >= (64 << 20) ? 3 * plan.min_seconds : plan.min_seconds);
  }
}

// Keeps the median of each benchmark's repetitions, in MB/s.
class MedianCollector : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> megabytes_per_second;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.aggregate_name != "median") continue;
      const auto found = run.counters.find("bytes_per_second");
      if (found != run.counters.end()) megabytes_per_second[run.run_name.function_name] = found->second / 1e6;
    }
  }
  bool ReportContext(const Context&) override { return true; }
  void Finalize() override {}
};

std::map<std::string, double> run_benchmarks(const std::vector<std::string>& engines, const Plan& plan) {
  for (const auto& engine : engines) register_engine(engine, plan);
  int argc = 3;
  std::string repetitions = fmt::format("--benchmark_repetitions={}", plan.repetitions);
  char aggregates[] = "--benchmark_report_aggregates_only=true";
  char name[] = "sha256-benchmark";
  char* argv[] = {name, repetitions.data(), aggregates, nullptr};
  benchmark::Initialize(&argc, argv);
  MedianCollector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  return collector.megabytes_per_second;
}

// OpenSSL reads OPENSSL_ia32cap when libcrypto loads, so masking its SHA extensions takes a new process.
std::map<std::string, double> openssl_without_sha_extensions(const char* self, const Plan& plan) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) environment.emplace_back(*entry);
  environment.emplace_back("OPENSSL_ia32cap=:~0x20000000");  // CPUID.7.EBX bit 29: SHA
  std::vector<char*> env;
  for (auto& entry : environment) env.push_back(entry.data());
  env.push_back(nullptr);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  char child_flag[] = "--openssl-child", quick_flag[] = "--quick";
  char* argv[] = {const_cast<char*>(self), child_flag, plan.quick ? quick_flag : nullptr, nullptr};
  pid_t child = 0;
  const int spawned = posix_spawn(&child, self, &actions, nullptr, argv, env.data());
  close(pipe_fds[1]);
  std::map<std::string, double> results;
  if (spawned == 0) {
    FILE* output = fdopen(pipe_fds[0], "r");
    char name[64];
    double value = 0;
    while (std::fscanf(output, "%63s %lf", name, &value) == 2) results[std::string("openssl-no-sha/") + name] = value;
    std::fclose(output);
    waitpid(child, nullptr, 0);
  }
  posix_spawn_file_actions_destroy(&actions);
  return results;
}

// The one-stream limit of SHA-NI on this CPU, measured rather than assumed: each 64-byte block needs 32
// sha256rnds2, each depending on the one before, so no loop can go faster than this chain of them
// (MB/s of message, median of the plan's repetitions). Zero where there is no SHA-NI.
// With `Chains` independent chains side by side (MB/s of message, all chains together): what two lanes
// could reach if nothing but the rounds took the SHA unit's time. `FreshWords`: every sha256rnds2 gets
// its own message-plus-constant words in xmm0 (loaded, no arithmetic), as real rounds must; without it
// xmm0 never changes, which no SHA-256 does, and on some CPUs that alone makes two chains faster.
#if defined(__x86_64__)
template <int Chains, bool FreshWords>
[[gnu::target("sha")]] double sha_ni_chains_once(int chain_blocks) {
  const int blocks = chain_blocks / Chains;
  alignas(16) std::uint32_t words_table[Chains][64];
  for (int chain = 0; chain < Chains; ++chain) {
    for (int word = 0; word < 64; ++word) words_table[chain][word] = 0x9e3779b9u * (64 * chain + word);
  }
  __m128i abef[Chains], cdgh[Chains];
  for (int chain = 0; chain < Chains; ++chain) abef[chain] = _mm_set1_epi32(chain), cdgh[chain] = _mm_set1_epi32(9);
  const __m128i constant_words = _mm_set1_epi32(3);
  const auto start = std::chrono::steady_clock::now();
  for (int block = 0; block < blocks; ++block) {
    benchmark::ClobberMemory();  // the words are loaded afresh for every block, as a message is
#pragma GCC unroll 16
    for (int pair = 0; pair < 16; ++pair) {
      for (int chain = 0; chain < Chains; ++chain) {  // each chain's pair together, as the engine issues them
        __m128i low = constant_words, high = constant_words;
        if constexpr (FreshWords) {
          const std::uint32_t* words = &words_table[chain][pair * 4];
          low = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(words));
          high = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(words + 2));
        }
        cdgh[chain] = _mm_sha256rnds2_epu32(cdgh[chain], abef[chain], low);
        abef[chain] = _mm_sha256rnds2_epu32(abef[chain], cdgh[chain], high);
      }
    }
  }
  for (int chain = 0; chain < Chains; ++chain) benchmark::DoNotOptimize(abef[chain]);
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  return blocks * Chains * 64.0 / seconds.count() / 1e6;
}
#endif

// Median of the plan's repetitions of sha_ni_chains_once; zero where there is no SHA-NI.
template <int Chains, bool FreshWords = false>
double sha_ni_limit(const Plan& plan) {
#if defined(__x86_64__)
  if (std::string(purgatory::host::host_sha256_engine_name()) != "sha-ni") return 0;
  std::vector<double> runs;
  for (int run = 0; run < plan.repetitions; ++run) {
    runs.push_back(sha_ni_chains_once<Chains, FreshWords>(plan.chain_blocks));
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
#else
  (void)plan;
  return 0;
#endif
}

std::string size_name(std::size_t size) {
  return size >= (1 << 20) ? fmt::format("{} MiB", size >> 20) : fmt::format("{} KiB", size >> 10);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--instructions") == 0) {
    const std::string engine = argv[2];
    const std::size_t size = std::strtoull(argv[3], nullptr, 0);
    const auto& bytes = buffer(size);
    hash_with(engine, bytes.data(), std::min<std::size_t>(size, 4096));  // first-call setup outside the measurement
    CALLGRIND_TOGGLE_COLLECT;
    const auto digest = hash_with(engine, bytes.data(), bytes.size());
    CALLGRIND_TOGGLE_COLLECT;
    // Which code ran: valgrind's CPU lacks SHA extensions, so "hardware" may well be the portable core.
    const char* ran = engine == "hardware" ? purgatory::host::host_sha256_engine_name() : engine.c_str();
    std::printf("%s %zu ", ran, size);
    for (const auto byte : digest) std::printf("%02x", byte);
    std::printf("\n");
    return 0;
  }
  const bool quick = argc >= 2 && std::strcmp(argv[argc - 1], "--quick") == 0;
  const Plan plan = plan_for(quick);
  if (argc >= 2 && std::strcmp(argv[1], "--openssl-child") == 0 && argc == 2 + quick) {
    std::fclose(stderr);  // its console report is the parent's noise
    for (const auto& [name, value] : run_benchmarks({"openssl"}, plan)) {
      std::printf("%s %f\n", name.substr(name.find('/') + 1).c_str(), value);
    }
    return 0;
  }

  if (argc != 1 + quick) {
    std::fprintf(stderr, "usage: sha256-benchmark [--quick] | --instructions ENGINE BYTES\n");
    return 2;
  }
  std::fprintf(stderr, "measuring (median of %d repetitions per figure)...\n", plan.repetitions);
  std::vector<std::string> engines = {"portable", "images-portable", "hardware", "two-lanes", "openssl"};
#if defined(__x86_64__)
  const bool has_vector_schedule = purgatory::sha256_vector_schedule::cpu_has_it();
  if (has_vector_schedule) engines.push_back("ssse3+bmi2");
#endif
  auto results = run_benchmarks(engines, plan);
  for (const auto& [name, value] : openssl_without_sha_extensions(argv[0], plan)) results[name] = value;
  const double limit = sha_ni_limit<1>(plan), two_chain_limit = sha_ni_limit<2>(plan);
  const double fresh_limit = sha_ni_limit<1, true>(plan), two_fresh_limit = sha_ni_limit<2, true>(plan);

  const auto figure = [&](const std::string& engine, std::size_t size) {
    const auto found = results.find(fmt::format("{}/{}", engine, size));
    return found == results.end() ? 0.0 : found->second;
  };
  const auto ratio = [](double a, double b) { return b > 0 ? fmt::format("{:.2f}x", a / b) : std::string("-"); };
  if (quick) fmt::print("\n--quick: small buffers, short runs; these figures show the program works, nothing more\n");
  fmt::print("\nSHA-256 throughput, MB/s (median of {}); hardware engine here: {}\n\n", plan.repetitions,
             purgatory::host::host_sha256_engine_name());
  fmt::print("{:>8} | {:>9} {:>9} {:>9} {:>9} {:>9} | {:>10} {:>10} {:>12} {:>9} {:>10}\n", "buffer", "portable",
             "hardware", "two-lanes", "openssl", "ossl-nosha", "hw/openssl", "hw/portable", "port/ossl-ns", "hw/limit",
             "2l/openssl");
  for (std::size_t size : plan.sizes) {
    const double portable = figure("portable", size), hardware = figure("hardware", size);
    const double two_lanes = figure("two-lanes", size);
    const double openssl = figure("openssl", size), masked = figure("openssl-no-sha", size);
    fmt::print("{:>8} | {:>9.0f} {:>9.0f} {:>9.0f} {:>9.0f} {:>9.0f} | {:>10} {:>10} {:>12} {:>9} {:>10}\n",
               size_name(size), portable, hardware, two_lanes, openssl, masked, ratio(hardware, openssl),
               ratio(hardware, portable), ratio(portable, masked), ratio(hardware, limit), ratio(two_lanes, openssl));
  }
#if defined(__x86_64__)
  if (has_vector_schedule) {
    fmt::print("\nWithout SHA-NI (x86_64 CPUs before Ice Lake): the images' portable core (compact form, -Os), the\n"
               "SSSE3+BMI2 engine the purgatory picks there instead, and OpenSSL with its SHA extensions masked;\n"
               "MB/s (median of {})\n\n", plan.repetitions);
    fmt::print("{:>8} | {:>9} {:>11} {:>10} | {:>14} {:>14} {:>14}\n", "buffer", "images", "ssse3+bmi2", "ossl-nosha",
               "ssse3/images", "ssse3/portable", "ssse3/ossl-ns");
    for (std::size_t size : plan.sizes) {
      const double images = figure("images-portable", size), vector = figure("ssse3+bmi2", size);
      const double portable = figure("portable", size), masked = figure("openssl-no-sha", size);
      fmt::print("{:>8} | {:>9.0f} {:>11.0f} {:>10.0f} | {:>14} {:>14} {:>14}\n", size_name(size), images, vector, masked,
                 ratio(vector, images), ratio(vector, portable), ratio(vector, masked));
    }
  }
#endif
  if (limit > 0) {
    fmt::print("\nlimit: one stream of 32 dependent sha256rnds2 per block, measured on this CPU: {:.0f} MB/s\n", limit);
    fmt::print("two chains of them side by side: {:.0f} MB/s, {:.2f}x one (xmm0 never changes)\n", two_chain_limit,
               two_chain_limit / limit);
    fmt::print("the same with fresh words in xmm0 for every sha256rnds2, as real rounds need: one {:.0f} MB/s, two "
               "{:.0f} MB/s, {:.2f}x\n",
               fresh_limit, two_fresh_limit, two_fresh_limit / fresh_limit);
    fmt::print("the two-lane engine against one lane:");
    for (std::size_t size : plan.sizes) {
      fmt::print(" {} {}", size_name(size), ratio(figure("two-lanes", size), figure("hardware", size)));
    }
    fmt::print("\n");
  }
  fmt::print("two-lanes: the buffer as two segments of half its size, each checked by its own digest "
             "(PURGATORY_FLAG_VERIFY_EACH_SEGMENT); two-lane engine here: {}\n",
             purgatory::host::host_sha256_two_lanes() ? "yes" : "none, one half after the other");
  return 0;
}
