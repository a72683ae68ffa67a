// libpsl behind public_suffix.h. The context is loaded once and never freed (it lives as long
// as the process); libpsl's lookups take a const context and are safe to call concurrently.
#include "policy/public_suffix.h"

#include <libpsl.h>

#include <cstdlib>
#include <string>

namespace ctwatch {
namespace {

const psl_ctx_t* List() {
  static const psl_ctx_t* const psl = [] {
    // The newest of the built-in list and the distribution's file (PSL_DISTFILE).
    const psl_ctx_t* latest = psl_latest(nullptr);
    if (latest == nullptr) latest = psl_builtin();
    if (latest == nullptr) std::abort();  // libpsl built without any list
    return latest;
  }();
  return psl;
}

}  // namespace

std::string_view RegistrableDomain(std::string_view name) {
  if (name.empty()) return {};
  const char* reg = psl_registrable_domain(List(), name.data());
  if (reg == nullptr) return {};
  const size_t offset = static_cast<size_t>(reg - name.data());
  if (offset > name.size()) return {};
  return name.substr(offset);
}

bool IsListedPublicSuffix(std::string_view suffix) {
  if (suffix.empty()) return false;
  const std::string copy(suffix);
  return psl_is_public_suffix2(List(), copy.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

}  // namespace ctwatch
