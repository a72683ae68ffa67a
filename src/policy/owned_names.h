// OwnedNames: which names are the owner's. A domain covers itself and every name below it,
// label-wise ("example.com" covers "www.example.com", not "myexample.com"); an exact name
// covers only itself; an exclusion takes a subtree back out ("customer.example.com"); the most
// specific entry wins. "Home" names (below an allowlisted domain, or below the registrable
// domain of an owned entry, such as "www.example.com" when only "shop.example.com" is owned)
// are not ours but never look-alikes. A wildcard "*.x" is owned when "x" is covered or an
// owned entry sits directly below "x". Names compare case-insensitively, without trailing dot,
// in A-label form. (This is the label-wise logic of the former WatchList.)
// Thread-safety: immutable after Create(); safe to read from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/label_hash.h"

namespace ctwatch {

enum class NameClass : uint8_t { kForeign, kOwned, kExcluded, kHome };

// Lower case, no trailing dot, A-labels: "WWW.Bücher.Example." → "www.xn--bcher-kva.example".
// nullopt for what is not a DNS name (a CN such as "Example Server", invalid IDNA).
std::optional<std::string> CanonicalDnsName(std::string_view raw);

class OwnedNames {
 public:
  struct Spec {
    std::vector<std::string> domains;
    std::vector<std::string> names;
    std::vector<std::string> exclude;
    std::vector<std::string> allow;
  };
  // Fails, naming the entry, when one is not a valid DNS name (or is a wildcard).
  static Result<OwnedNames> Create(const Spec& spec);

  struct Coverage {
    NameClass name_class = NameClass::kForeign;
    std::string_view entry;  // the domain or exact name that decided (empty when foreign)
    bool exact = false;      // decided by an exact name
  };
  // `name`: as CanonicalDnsName returns it; may start with "*.".
  Coverage Classify(std::string_view name) const;
  bool IsOwned(std::string_view name) const {
    return Classify(name).name_class == NameClass::kOwned;
  }

  const std::vector<std::string>& domains() const { return domains_; }  // A-label form
  const std::vector<std::string>& names() const { return names_; }
  bool empty() const { return domains_.empty() && names_.empty(); }

 private:
  // Names with their class, found by hash: a flat, Bloom-fronted table (HashPostings), so that
  // looking up the suffixes of a name costs about a cache line each, however many entries.
  struct NameTable {
    std::vector<std::string> names;
    std::vector<NameClass> classes;
    HashPostings index;
    void Add(const std::string& name, NameClass c);
    void Finish();
    // The entry equal to `name` (whose HashLabel is `hash`), or -1.
    int Find(uint64_t hash, std::string_view name) const;
  };

  std::vector<std::string> domains_;
  std::vector<std::string> names_;
  NameTable subtrees_;  // domain → class of it and all below
  NameTable exact_;     // exact owned names
  NameTable parents_;   // owned entries minus their first label
};

}  // namespace ctwatch
