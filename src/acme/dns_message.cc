#include "acme/dns_message.h"

#include <arpa/inet.h>

#include <cctype>

#include "core/byte_reader.h"

namespace ctwatch::dns {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr int kMaxPointerJumps = 32;
constexpr size_t kMaxWireName = 255;

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kParse, "DNS message: " + what);
}

void AppendLabelText(ByteView label, std::string* out) {
  for (uint8_t b : label) {
    const char c = static_cast<char>(std::tolower(b));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*') {
      out->push_back(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\%03u", static_cast<unsigned>(b));
      out->append(buf);
    }
  }
}

// name = *label 0x00, where a label is <len 1..63><bytes> or a pointer 11xxxxxx xxxxxxxx to an
// earlier offset (RFC 1035 §4.1.4). `*pos` moves past the name as it sits at *pos.
Result<std::string> ReadName(ByteView msg, size_t* pos) {
  size_t p = *pos;
  bool jumped = false;
  int jumps = 0;
  size_t wire_length = 1;
  std::string out;
  for (;;) {
    if (p >= msg.size()) return Malformed("name runs past the end");
    const uint8_t len = msg[p];
    if ((len & 0xC0) == 0xC0) {
      if (p + 1 >= msg.size()) return Malformed("truncated compression pointer");
      const size_t target = (static_cast<size_t>(len & 0x3F) << 8) | msg[p + 1];
      if (target >= p) return Malformed("compression pointer does not point backwards");
      if (++jumps > kMaxPointerJumps) return Malformed("too many compression pointers");
      if (!jumped) *pos = p + 2;
      jumped = true;
      p = target;
      continue;
    }
    if ((len & 0xC0) != 0) return Malformed("reserved label type");
    if (len == 0) {
      if (!jumped) *pos = p + 1;
      return out;
    }
    if (p + 1 + len > msg.size()) return Malformed("label runs past the end");
    wire_length += 1 + len;
    if (wire_length > kMaxWireName) return Malformed("name longer than 255 bytes");
    if (!out.empty()) out.push_back('.');
    AppendLabelText(msg.subspan(p + 1, len), &out);
    p += 1 + len;
  }
}

bool ReadU16At(ByteView msg, size_t* pos, uint16_t* out) {
  if (*pos + 2 > msg.size()) return false;
  *out = static_cast<uint16_t>((msg[*pos] << 8) | msg[*pos + 1]);
  *pos += 2;
  return true;
}

bool ReadU32At(ByteView msg, size_t* pos, uint32_t* out) {
  uint16_t hi = 0, lo = 0;
  if (!ReadU16At(msg, pos, &hi) || !ReadU16At(msg, pos, &lo)) return false;
  *out = (static_cast<uint32_t>(hi) << 16) | lo;
  return true;
}

// Decodes the RDATA of the types the solver reads. `start`/`end` delimit it inside `msg`.
Status DecodeRdata(ByteView msg, size_t start, size_t end, ResourceRecord* rr) {
  switch (rr->type) {
    case kTypeA:
    case kTypeAaaa: {
      const size_t want = rr->type == kTypeA ? 4 : 16;
      if (end - start != want) return Malformed("address record of the wrong size");
      char buf[INET6_ADDRSTRLEN] = {0};
      ::inet_ntop(rr->type == kTypeA ? AF_INET : AF_INET6, msg.data() + start, buf, sizeof(buf));
      rr->address = buf;
      return OkStatus();
    }
    case kTypeNs:
    case kTypeCname: {
      size_t p = start;
      CTW_ASSIGN_OR_RETURN(rr->target, ReadName(msg, &p));
      if (p != end) return Malformed("trailing bytes after a name in RDATA");
      return OkStatus();
    }
    case kTypeSoa: {
      // MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
      size_t p = start;
      CTW_ASSIGN_OR_RETURN(std::string mname, ReadName(msg, &p));
      CTW_ASSIGN_OR_RETURN(std::string rname, ReadName(msg, &p));
      rr->target = mname;
      (void)rname;
      if (p + 20 != end) return Malformed("SOA RDATA of the wrong size");
      return OkStatus();
    }
    case kTypeTxt: {
      // One or more <character-string> = <len u8><bytes>.
      size_t p = start;
      if (p == end) return Malformed("empty TXT RDATA");
      while (p < end) {
        const size_t len = msg[p];
        if (p + 1 + len > end) return Malformed("TXT string runs past its RDATA");
        rr->txt.emplace_back(reinterpret_cast<const char*>(msg.data() + p + 1), len);
        p += 1 + len;
      }
      return OkStatus();
    }
    default:
      return OkStatus();
  }
}

// TSIG RDATA (RFC 8945 §4.2): Algorithm Name, Time Signed u48, Fudge u16, MAC Size u16, MAC,
// Original ID u16, Error u16, Other Len u16, Other Data.
Status DecodeTsig(ByteView msg, size_t start, size_t end, const std::string& owner,
                  TsigRecord* out) {
  size_t p = start;
  out->key_name = owner;
  CTW_ASSIGN_OR_RETURN(out->algorithm, ReadName(msg, &p));
  ByteReader r(msg.subspan(p, end > p ? end - p : 0));
  if (p > end) return Malformed("TSIG RDATA too short");
  uint16_t hi = 0, mac_size = 0, other_len = 0;
  uint32_t lo = 0;
  ByteView mac, other;
  if (!r.ReadU16(&hi) || !r.ReadU32(&lo) || !r.ReadU16(&out->fudge) || !r.ReadU16(&mac_size) ||
      !r.ReadBytes(mac_size, &mac) || !r.ReadU16(&out->original_id) || !r.ReadU16(&out->error) ||
      !r.ReadU16(&other_len) || !r.ReadBytes(other_len, &other) || !r.empty()) {
    return Malformed("bad TSIG RDATA");
  }
  out->time_signed = (static_cast<uint64_t>(hi) << 32) | lo;
  out->mac = ToBytes(mac);
  out->other = ToBytes(other);
  return OkStatus();
}

Result<ResourceRecord> ReadRecord(ByteView msg, size_t* pos, size_t* rdata_start) {
  ResourceRecord rr;
  CTW_ASSIGN_OR_RETURN(rr.name, ReadName(msg, pos));
  uint16_t rdlength = 0;
  if (!ReadU16At(msg, pos, &rr.type) || !ReadU16At(msg, pos, &rr.rr_class) ||
      !ReadU32At(msg, pos, &rr.ttl) || !ReadU16At(msg, pos, &rdlength)) {
    return Malformed("truncated resource record");
  }
  if (*pos + rdlength > msg.size()) return Malformed("RDATA runs past the end");
  *rdata_start = *pos;
  rr.rdata.assign(msg.begin() + static_cast<ptrdiff_t>(*pos),
                  msg.begin() + static_cast<ptrdiff_t>(*pos + rdlength));
  if (rr.type != kTypeTsig) CTW_RETURN_IF_ERROR(DecodeRdata(msg, *pos, *pos + rdlength, &rr));
  *pos += rdlength;
  return rr;
}

void AppendRecord(const ResourceRecord& rr, Bytes* out) {
  AppendName(rr.name, out);
  AppendUint(out, rr.type, 2);
  AppendUint(out, rr.rr_class, 2);
  AppendUint(out, rr.ttl, 4);
  AppendPrefixed(out, rr.rdata, 2);
}

void AppendHeader(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar,
                  Bytes* out) {
  for (uint16_t v : {id, flags, qd, an, ns, ar}) AppendUint(out, v, 2);
}

}  // namespace

std::string RcodeName(int rcode) {
  static const char* const kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                       "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                       "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode >= 0 && rcode < static_cast<int>(std::size(kNames))) return kNames[rcode];
  switch (rcode) {
    case 16:
      return "BADSIG";
    case 17:
      return "BADKEY";
    case 18:
      return "BADTIME";
    case 22:
      return "BADTRUNC";
    default:
      return "RCODE" + std::to_string(rcode);
  }
}

Result<std::string> CanonicalName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.size() > 253) return MakeError(ErrorCode::kInvalidArgument, "DNS name too long");
  std::string out;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "empty label in DNS name \"" + std::string(name) + "\"");
      }
      label = 0;
      out.push_back('.');
      continue;
    }
    if (static_cast<unsigned char>(c) <= ' ' || c == '\\' || static_cast<unsigned char>(c) >= 127) {
      return MakeError(ErrorCode::kInvalidArgument, "bad character in DNS name");
    }
    if (++label > 63) return MakeError(ErrorCode::kInvalidArgument, "DNS label over 63 bytes");
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (!name.empty() && label == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "empty label in DNS name");
  }
  return out;
}

void AppendName(std::string_view name, Bytes* out) {
  while (!name.empty()) {
    const size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    out->push_back(static_cast<uint8_t>(label.size()));
    out->insert(out->end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  out->push_back(0);
}

bool IsSubdomain(std::string_view name, std::string_view zone) {
  if (zone.empty()) return true;
  if (name == zone) return true;
  return name.size() > zone.size() && name.substr(name.size() - zone.size()) == zone &&
         name[name.size() - zone.size() - 1] == '.';
}

Bytes BuildQuery(uint16_t id, std::string_view name, uint16_t type, bool recursion_desired) {
  Bytes out;
  AppendHeader(id, recursion_desired ? 0x0100 : 0, 1, 0, 0, 0, &out);
  AppendName(name, &out);
  AppendUint(&out, type, 2);
  AppendUint(&out, kClassIn, 2);
  return out;
}

Bytes BuildUpdate(uint16_t id, std::string_view zone, const std::vector<ResourceRecord>& updates) {
  Bytes out;
  AppendHeader(id, static_cast<uint16_t>(kOpcodeUpdate << 11), 1, 0,
               static_cast<uint16_t>(updates.size()), 0, &out);
  AppendName(zone, &out);  // zone section: ZNAME ZTYPE=SOA ZCLASS=IN
  AppendUint(&out, kTypeSoa, 2);
  AppendUint(&out, kClassIn, 2);
  for (const ResourceRecord& rr : updates) AppendRecord(rr, &out);
  return out;
}

Bytes TxtRdata(std::string_view value) {
  Bytes out;
  do {
    const std::string_view part = value.substr(0, 255);
    AppendPrefixed(&out, AsBytes(part), 1);
    value.remove_prefix(part.size());
  } while (!value.empty());
  return out;
}

Result<Message> ParseMessage(ByteView wire) {
  if (wire.size() < kHeaderSize) return Malformed("shorter than its header");
  if (wire.size() > 65535) return Malformed("larger than 64 KiB");
  Message m;
  size_t pos = 0;
  uint16_t flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
  ReadU16At(wire, &pos, &m.id);
  ReadU16At(wire, &pos, &flags);
  ReadU16At(wire, &pos, &qd);
  ReadU16At(wire, &pos, &an);
  ReadU16At(wire, &pos, &ns);
  ReadU16At(wire, &pos, &ar);
  m.response = (flags & 0x8000) != 0;
  m.opcode = static_cast<uint8_t>((flags >> 11) & 0x0F);
  m.authoritative = (flags & 0x0400) != 0;
  m.truncated = (flags & 0x0200) != 0;
  m.recursion_desired = (flags & 0x0100) != 0;
  m.rcode = flags & 0x000F;
  for (uint16_t i = 0; i < qd; ++i) {
    Question q;
    CTW_ASSIGN_OR_RETURN(q.name, ReadName(wire, &pos));
    if (!ReadU16At(wire, &pos, &q.type) || !ReadU16At(wire, &pos, &q.qclass)) {
      return Malformed("truncated question");
    }
    m.questions.push_back(std::move(q));
  }
  const std::pair<uint16_t, std::vector<ResourceRecord>*> sections[] = {
      {an, &m.answers}, {ns, &m.authority}, {ar, &m.additional}};
  for (const auto& [count, section] : sections) {
    for (uint16_t i = 0; i < count; ++i) {
      const size_t start = pos;
      size_t rdata_start = 0;
      CTW_ASSIGN_OR_RETURN(ResourceRecord rr, ReadRecord(wire, &pos, &rdata_start));
      if (rr.type == kTypeTsig) {
        // RFC 8945 §5.1: only as the last record of the additional section.
        if (section != &m.additional || i + 1 != count) {
          return Malformed("TSIG record that is not the last record");
        }
        if (rr.rr_class != kClassAny || rr.ttl != 0) return Malformed("TSIG with bad class/TTL");
        CTW_RETURN_IF_ERROR(DecodeTsig(wire, rdata_start, pos, rr.name, &m.tsig));
        m.has_tsig = true;
        m.tsig_offset = start;
        continue;
      }
      section->push_back(std::move(rr));
    }
  }
  if (pos != wire.size()) return Malformed("trailing bytes after the last record");
  return m;
}

}  // namespace ctwatch::dns
