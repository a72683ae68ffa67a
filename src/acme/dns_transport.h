// DNS over UDP and TCP (RFC 1035 §4.2, RFC 7766) for the RFC 2136 DNS-01 solver: one request,
// one answer with the same ID, within a deadline. UDP is tried up to three times; a truncated
// UDP answer (TC) is asked again over TCP.
// Thread-safety: pure functions (each exchange opens its own socket).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

struct DnsServerAddress {
  std::string host;  // IP literal or host name
  int port = 53;
  std::string ToString() const;  // "127.0.0.1:53", "[::1]:53"
};

// "192.0.2.1", "192.0.2.1:5353", "[2001:db8::1]:53", "ns1.example.com:53".
Result<DnsServerAddress> ParseDnsServer(std::string_view text, int default_port = 53);

// Sends `request` and returns the raw answer (QR set, same ID).
Result<Bytes> DnsExchange(const DnsServerAddress& server, ByteView request, int64_t timeout_ms,
                          bool tcp = false);

}  // namespace ctwatch
