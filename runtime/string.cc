// SPDX-License-Identifier: MIT
// The C library functions the compiler may call on its own (aggregate copies and zeroing become
// memcpy/memset calls even in freestanding code), and those libstdc++'s header-only parts call
// (std::string_view::find uses memchr), with their standard signatures as newlib's <string.h>
// declares them. Plain loops: these are not on any hot path, and -ffreestanding keeps the
// compiler from turning them back into calls to themselves.
#include <string.h>

extern "C" {

void* memcpy(void* __restrict destination, const void* __restrict source, size_t size) {
  auto* to = static_cast<unsigned char*>(destination);
  const auto* from = static_cast<const unsigned char*>(source);
  for (size_t i = 0; i < size; ++i) to[i] = from[i];
  return destination;
}

void* memmove(void* destination, const void* source, size_t size) {
  auto* to = static_cast<unsigned char*>(destination);
  const auto* from = static_cast<const unsigned char*>(source);
  if (to < from) {
    for (size_t i = 0; i < size; ++i) to[i] = from[i];
  } else {
    for (size_t i = size; i != 0; --i) to[i - 1] = from[i - 1];
  }
  return destination;
}

void* memset(void* destination, int value, size_t size) {
  auto* to = static_cast<unsigned char*>(destination);
  for (size_t i = 0; i < size; ++i) to[i] = static_cast<unsigned char>(value);
  return destination;
}

int memcmp(const void* left, const void* right, size_t size) {
  const auto* a = static_cast<const unsigned char*>(left);
  const auto* b = static_cast<const unsigned char*>(right);
  for (size_t i = 0; i < size; ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

void* memchr(const void* memory, int value, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(memory);
  for (size_t i = 0; i < size; ++i) {
    if (bytes[i] == static_cast<unsigned char>(value)) return const_cast<unsigned char*>(bytes + i);
  }
  return nullptr;
}

size_t strlen(const char* string) {
  size_t length = 0;
  while (string[length] != '\0') ++length;
  return length;
}

}  // extern "C"
