// SPDX-License-Identifier: MIT
#include "nist_vectors.h"

#include <fstream>
#include <stdexcept>

namespace purgatory::test {
namespace {

std::string vectors_path(const std::string& file_name) {
  return std::string(PURGATORY_TEST_VECTORS_DIR) + "/" + file_name;
}

std::ifstream open_vectors(const std::string& file_name) {
  std::ifstream stream(vectors_path(file_name));
  if (!stream) throw std::runtime_error("cannot open test vectors " + vectors_path(file_name));
  return stream;
}

// "Key = value" with CAVP's spacing; returns the value if the line starts with `key`.
bool field(const std::string& line, std::string_view key, std::string& value) {
  const std::string prefix = std::string(key) + " = ";
  if (line.rfind(prefix, 0) != 0) return false;
  value = line.substr(prefix.size());
  while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
  return true;
}

}  // namespace

std::vector<std::uint8_t> bytes_from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::runtime_error("odd number of hex digits");
  std::vector<std::uint8_t> bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::string to_hex(const Sha256Digest& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (auto byte : digest) {
    hex.push_back(digits[byte >> 4]);
    hex.push_back(digits[byte & 15]);
  }
  return hex;
}

std::vector<MessageVector> read_message_vectors(const std::string& file_name) {
  auto stream = open_vectors(file_name);
  std::vector<MessageVector> vectors;
  MessageVector current;
  std::string line, value;
  while (std::getline(stream, line)) {
    if (field(line, "Len", value)) {
      current = MessageVector{};
      current.bit_length = std::stoul(value);
    } else if (field(line, "Msg", value)) {
      current.message = bytes_from_hex(value);
      // CAVP writes "Msg = 00" for the empty message.
      current.message.resize(current.bit_length / 8);
    } else if (field(line, "MD", value)) {
      current.digest = digest_from_hex(value);
      vectors.push_back(current);
    }
  }
  return vectors;
}

MonteCarloVectors read_monte_carlo_vectors(const std::string& file_name) {
  auto stream = open_vectors(file_name);
  MonteCarloVectors vectors;
  std::string line, value;
  while (std::getline(stream, line)) {
    if (field(line, "Seed", value)) vectors.seed = digest_from_hex(value);
    if (field(line, "MD", value)) vectors.checkpoints.push_back(digest_from_hex(value));
  }
  return vectors;
}

}  // namespace purgatory::test
