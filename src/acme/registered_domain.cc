#include "acme/registered_domain.h"

#include <libpsl.h>

#include <cstdlib>

namespace ctwatch {
namespace {

const psl_ctx_t* List() {
  static const psl_ctx_t* const psl = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);  // newest of built-in and PSL_DISTFILE
    if (latest == nullptr) latest = psl_builtin();
    if (latest == nullptr) std::abort();  // libpsl built without any list
    return latest;
  }();
  return psl;
}

}  // namespace

std::string RegisteredDomain(const AcmeIdentifier& identifier) {
  if (identifier.type != "dns") return identifier.value;
  std::string name = identifier.value;
  if (name.rfind("*.", 0) == 0) name.erase(0, 2);
  const char* reg = psl_registrable_domain(List(), name.c_str());
  if (reg == nullptr) return name;
  return std::string(reg);
}

}  // namespace ctwatch
