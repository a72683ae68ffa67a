// DNS messages for the RFC 2136 DNS-01 solver, built and parsed here (no resolver library):
// queries (RFC 1035 §4.1), UPDATE messages (RFC 2136 §2) and a small, strict parser for the
// answers. The parser checks every length against the message, follows compression pointers
// only backwards and a bounded number of times, rejects trailing bytes, and decodes the few
// record types the solver reads (A, AAAA, NS, CNAME, SOA owner, TXT, TSIG).
// Names in text form are lower-case, without the trailing dot ("" is the root); bytes outside
// [a-z0-9-_*] are written as \DDD.
// Thread-safety: pure functions and value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch::dns {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeNs = 2;
constexpr uint16_t kTypeCname = 5;
constexpr uint16_t kTypeSoa = 6;
constexpr uint16_t kTypeTxt = 16;
constexpr uint16_t kTypeAaaa = 28;
constexpr uint16_t kTypeTsig = 250;
constexpr uint16_t kClassIn = 1;
constexpr uint16_t kClassNone = 254;
constexpr uint16_t kClassAny = 255;
constexpr uint8_t kOpcodeQuery = 0;
constexpr uint8_t kOpcodeUpdate = 5;

// RCODE names (RFC 1035, RFC 2136 §2.2, RFC 8945 §5.2 for the TSIG errors) for messages.
std::string RcodeName(int rcode);

// "_acme-challenge.Example.COM." → "_acme-challenge.example.com"; fails on empty labels, labels
// over 63 bytes or names over 253 characters.
Result<std::string> CanonicalName(std::string_view name);
// Uncompressed wire form of a canonical name (RFC 1035 §3.1).
void AppendName(std::string_view canonical_name, Bytes* out);
// True when `name` is `zone` or below it (canonical names).
bool IsSubdomain(std::string_view name, std::string_view zone);

struct ResourceRecord {
  std::string name;
  uint16_t type = 0;
  uint16_t rr_class = kClassIn;
  uint32_t ttl = 0;
  Bytes rdata;  // as on the wire (names inside are decompressed by the parser into the fields)
  // Decoded by ParseMessage for the types the solver reads:
  std::string target;            // NS, CNAME: the name
  std::vector<std::string> txt;  // TXT: the character-strings
  std::string address;           // A, AAAA: textual address
};

struct Question {
  std::string name;
  uint16_t type = 0;
  uint16_t qclass = kClassIn;
};

// TSIG record fields (RFC 8945 §4.2).
struct TsigRecord {
  std::string key_name;
  std::string algorithm;
  uint64_t time_signed = 0;  // seconds, 48 bits
  uint16_t fudge = 0;
  Bytes mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  Bytes other;
};

struct Message {
  uint16_t id = 0;
  bool response = false;
  uint8_t opcode = 0;
  bool authoritative = false;
  bool truncated = false;
  bool recursion_desired = false;
  int rcode = 0;  // 4 bits from the header (extended RCODEs are not used here)
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;  // without the TSIG record
  // The TSIG record when it is the last additional record, and where it starts in the wire.
  bool has_tsig = false;
  TsigRecord tsig;
  size_t tsig_offset = 0;
};

// A query for one name and type. `recursion_desired` = RD bit.
Bytes BuildQuery(uint16_t id, std::string_view canonical_name, uint16_t type,
                 bool recursion_desired);

// An UPDATE for `zone` (zone section: zone SOA IN) with these update records and no
// prerequisites (RFC 2136 §2.5: add = class IN; delete one RR = class NONE, TTL 0).
Bytes BuildUpdate(uint16_t id, std::string_view canonical_zone,
                  const std::vector<ResourceRecord>& updates);

// TXT RDATA for one value (one character-string; values over 255 bytes are split).
Bytes TxtRdata(std::string_view value);

// Parses a whole message (at most 65535 bytes); trailing bytes are an error.
Result<Message> ParseMessage(ByteView wire);

}  // namespace ctwatch::dns
