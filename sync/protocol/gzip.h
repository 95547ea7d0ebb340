#pragma once
// gzip for sync batches (zlib). Decompression is bounded so that a small body cannot expand without limit.

#include "base/result.h"

#include <string>
#include <string_view>

namespace nafitha::protocol {

std::string gzip_compress(std::string_view data, int level = 6);

// error.sync.body_malformed when the data is not gzip, error.sync.body_too_large past `max_output_bytes`.
Result<std::string> gzip_decompress(std::string_view data, size_t max_output_bytes);

} // namespace nafitha::protocol
