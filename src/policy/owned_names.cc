// OwnedNames; see owned_names.h.
#include "policy/owned_names.h"

#include <map>
#include <optional>
#include <set>

#include "cert/dns_name.h"
#include "policy/public_suffix.h"

namespace ctwatch {
namespace {

bool IsDnsChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '*';
}

Result<std::string> EntryName(const std::string& raw, const char* what) {
  std::optional<std::string> name = CanonicalDnsName(raw);
  if (!name.has_value() || name->empty() || (*name)[0] == '.' ||
      name->find('*') != std::string::npos || name->find("..") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(what) + " \"" + raw +
                         "\" is not a DNS name (write \"example.com\"; it "
                         "covers the name and every name below it)");
  }
  return *name;
}

}  // namespace

std::optional<std::string> CanonicalDnsName(std::string_view raw) {
  std::string name = NormalizeDnsName(raw);
  if (name.empty()) return std::nullopt;
  bool ascii = true, dns = true;
  for (char c : name) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
    } else if (!IsDnsChar(c)) {
      dns = false;
    }
  }
  if (!dns) return std::nullopt;
  if (ascii) return name;
  return DomainToAscii(name);
}

Result<OwnedNames> OwnedNames::Create(const Spec& spec) {
  OwnedNames o;
  std::vector<std::string> excluded, allowed;
  for (const std::string& d : spec.domains) {
    CTW_ASSIGN_OR_RETURN(std::string n, EntryName(d, "owned domain"));
    o.domains_.push_back(std::move(n));
  }
  for (const std::string& d : spec.names) {
    CTW_ASSIGN_OR_RETURN(std::string n, EntryName(d, "owned name"));
    o.names_.push_back(std::move(n));
  }
  for (const std::string& d : spec.exclude) {
    CTW_ASSIGN_OR_RETURN(std::string n, EntryName(d, "excluded name"));
    excluded.push_back(std::move(n));
  }
  for (const std::string& d : spec.allow) {
    CTW_ASSIGN_OR_RETURN(std::string n, EntryName(d, "allowed domain"));
    allowed.push_back(std::move(n));
  }
  // Weakest first: home, then owned, then exclusions override.
  std::map<std::string, NameClass> subtrees;
  for (const auto* list : {&o.domains_, &o.names_}) {
    for (const std::string& n : *list) {
      const std::string_view registrable = RegistrableDomain(n);
      if (!registrable.empty()) subtrees.emplace(std::string(registrable), NameClass::kHome);
    }
  }
  for (const std::string& n : allowed) subtrees[n] = NameClass::kHome;
  for (const std::string& n : o.domains_) subtrees[n] = NameClass::kOwned;
  for (const std::string& n : excluded) subtrees[n] = NameClass::kExcluded;
  for (const auto& [n, c] : subtrees) o.subtrees_.Add(n, c);
  std::set<std::string> exact(o.names_.begin(), o.names_.end()), parents;
  for (const std::string& n : exact) o.exact_.Add(n, NameClass::kOwned);
  for (const auto* list : {&o.domains_, &o.names_}) {
    for (const std::string& n : *list) {
      const size_t dot = n.find('.');
      if (dot != std::string::npos) parents.insert(n.substr(dot + 1));
    }
  }
  for (const std::string& n : parents) o.parents_.Add(n, NameClass::kOwned);
  o.subtrees_.Finish();
  o.exact_.Finish();
  o.parents_.Finish();
  return o;
}

void OwnedNames::NameTable::Add(const std::string& name, NameClass c) {
  index.Add(HashLabel(name), static_cast<uint32_t>(names.size()));
  names.push_back(name);
  classes.push_back(c);
}

void OwnedNames::NameTable::Finish() { index.Finish(); }

int OwnedNames::NameTable::Find(uint64_t hash, std::string_view name) const {
  for (uint32_t id : index.Find(hash)) {
    if (names[id] == name) return static_cast<int>(id);
  }
  return -1;
}

OwnedNames::Coverage OwnedNames::Classify(std::string_view name) const {
  const bool wildcard = name.size() > 2 && name[0] == '*' && name[1] == '.';
  const std::string_view base = wildcard ? name.substr(2) : name;
  if (!wildcard) {
    if (int e = exact_.Find(HashLabel(name), name); e >= 0)
      return {exact_.classes[e], exact_.names[e], true};
  }
  // Every suffix at a label boundary, longest (most specific) first.
  Coverage found;
  const bool short_name = base.size() <= kMaxHashedLabel;
  std::optional<LabelHasher> hasher;
  if (short_name) hasher.emplace(base);
  for (size_t start = 0; start < base.size();) {
    const std::string_view rest = base.substr(start);
    const uint64_t hash = short_name ? hasher->Range(start, base.size()) : HashLabel(rest);
    if (int e = subtrees_.Find(hash, rest); e >= 0) {
      found = {subtrees_.classes[e], subtrees_.names[e], false};
      break;
    }
    const size_t dot = base.find('.', start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (wildcard && found.name_class != NameClass::kOwned) {
    // "*.x" covers every name one label below x: an owned entry there is covered.
    if (int e = parents_.Find(HashLabel(base), base); e >= 0)
      return {NameClass::kOwned, parents_.names[e], false};
  }
  return found;
}

}  // namespace ctwatch
