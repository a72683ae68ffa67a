// File helpers: bounded reads, atomic writes (temp file, fsync, rename, fsync directory) and
// private files for key material.
// Thread-safety: pure functions over the file system.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace ctwatch {

// Reads a whole file; fails with kResourceExhausted when it is larger than `max_bytes`.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = 64u << 20);

// Replaces `path` atomically with `data`, created with permission `mode` (0600 for keys).
Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode = 0644);

// Creates a directory and its parents (mode 0700 for new ones).
Status MakeDirs(const std::string& path, unsigned mode = 0700);

bool FileExists(const std::string& path);

}  // namespace ctwatch
