// TableReader: typed, validated reads from one TOML table of the config file. It remembers
// which keys were read so that unknown keys can be reported, and formats every error as
// "file:line:col: section.key: message". Shared by every config section (logs, watch, policy,
// alerts, acme).
// Thread-safety: used while loading, on one thread.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/result.h"

namespace ctwatch {

class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  Error ErrorAt(const toml::node& node, std::string_view key, const std::string& message) const {
    return ErrorAt(node.source(), key, message);
  }

  Error ErrorAt(const toml::source_region& src, std::string_view key,
                const std::string& message) const {
    std::ostringstream out;
    out << file_ << ":" << src.begin.line << ":" << src.begin.column << ": " << prefix_ << key
        << ": " << message;
    return MakeError(ErrorCode::kInvalidArgument, out.str());
  }

  const toml::node* Get(std::string_view key) {
    seen_.insert(std::string(key));
    return table_.get(key);
  }

  Status String(std::string_view key, std::string* out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return OkStatus();
    if (!n->is_string()) return ErrorAt(*n, key, "expected a string");
    *out = n->as_string()->get();
    return OkStatus();
  }

  Status Bool(std::string_view key, bool* out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return OkStatus();
    if (!n->is_boolean()) return ErrorAt(*n, key, "expected true or false");
    *out = n->as_boolean()->get();
    return OkStatus();
  }

  Status Path(std::string_view key, const std::string& base_dir, std::string* out) {
    std::string value;
    CTW_RETURN_IF_ERROR(String(key, &value));
    if (value.empty()) return OkStatus();
    *out = Resolve(value, base_dir);
    return OkStatus();
  }

  Status Int(std::string_view key, int64_t min, int64_t max, int64_t* out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return OkStatus();
    if (!n->is_integer()) return ErrorAt(*n, key, "expected an integer");
    const int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      return ErrorAt(*n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = v;
    return OkStatus();
  }

  Status Number(std::string_view key, double min, double max, double* out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return OkStatus();
    double v;
    if (n->is_integer()) {
      v = static_cast<double>(n->as_integer()->get());
    } else if (n->is_floating_point()) {
      v = n->as_floating_point()->get();
    } else {
      return ErrorAt(*n, key, "expected a number");
    }
    if (v < min || v > max) {
      return ErrorAt(*n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = v;
    return OkStatus();
  }

  Status Duration(std::string_view key, int64_t min_ms, int64_t* out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return OkStatus();
    std::optional<int64_t> ms;
    if (n->is_string()) ms = ParseDurationMs(n->as_string()->get());
    if (n->is_integer()) ms = n->as_integer()->get() * 1000;
    if (!ms.has_value()) return ErrorAt(*n, key, "expected a duration such as \"90s\", \"5m\" or \"6h\"");
    if (*ms < min_ms) return ErrorAt(*n, key, "must be at least " + std::to_string(min_ms) + " ms");
    *out = *ms;
    return OkStatus();
  }

  Status StringList(std::string_view key, std::vector<std::string>* out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return OkStatus();
    if (!n->is_array()) return ErrorAt(*n, key, "expected an array of strings");
    out->clear();
    for (const toml::node& item : *n->as_array()) {
      if (!item.is_string()) return ErrorAt(item, key, "expected an array of strings");
      out->push_back(item.as_string()->get());
    }
    return OkStatus();
  }

  Status Start(std::string_view key, std::optional<StartPosition>* out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return OkStatus();
    StartPosition p;
    if (n->is_integer() && n->as_integer()->get() >= 0) {
      p.kind = StartPosition::Kind::kIndex;
      p.index = static_cast<uint64_t>(n->as_integer()->get());
    } else if (n->is_string() && n->as_string()->get() == "beginning") {
      p.kind = StartPosition::Kind::kBeginning;
    } else if (n->is_string() && n->as_string()->get() == "end") {
      p.kind = StartPosition::Kind::kEnd;
    } else {
      return ErrorAt(*n, key, "expected \"beginning\", \"end\" or an entry index");
    }
    *out = p;
    return OkStatus();
  }

  const toml::table* Table(std::string_view key, Status* status) {
    const toml::node* n = Get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) {
      *status = ErrorAt(*n, key, "expected a table");
      return nullptr;
    }
    return n->as_table();
  }

  // Unknown keys are errors: a typo must not fall back to a default silently.
  Status CheckNoUnknownKeys() const {
    for (const auto& [k, v] : table_) {
      if (seen_.count(std::string(k.str())) == 0) return ErrorAt(k.source(), k.str(), "unknown key");
    }
    return OkStatus();
  }

  static std::string Resolve(const std::string& value, const std::string& base_dir) {
    if (value.find("://") != std::string::npos) return value;  // a URL
    std::filesystem::path p(value);
    if (p.is_absolute()) return value;
    return (std::filesystem::path(base_dir) / p).lexically_normal().string();
  }

  const std::string& file() const { return file_; }

 private:
  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> seen_;
};

}  // namespace ctwatch
