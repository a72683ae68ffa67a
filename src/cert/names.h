// Internal to src/cert: the name extraction behind ExtractNames, reused by the Facts functions
// on an already parsed TBS, and the textual IP address forms.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "cert/facts.h"
#include "cert/tbs.h"

namespace ctwatch::cert_internal {

Result<CertNames> NamesFromTbs(const ParsedTbs& tbs);

// Appends the text form of a 4-byte (dotted quad) or 16-byte (RFC 5952) address; returns false
// and appends nothing for other lengths.
bool AppendIpAddress(ByteView address, std::string* out);

// Removes repeated strings, keeping the first occurrence and the order.
void RemoveDuplicates(std::vector<std::string>* values);

}  // namespace ctwatch::cert_internal
