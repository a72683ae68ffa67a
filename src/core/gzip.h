// gzip decoding with an output cap, for static-ct-api tiles served compressed without a
// Content-Encoding header.
// Thread-safety: pure functions.
#pragma once

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

bool LooksGzipped(ByteView data);
Result<Bytes> Gunzip(ByteView data, size_t max_output_bytes);

}  // namespace ctwatch
