// BrandIndex construction; see brand_index.h.
#include "policy/brand_index.h"

#include <algorithm>

namespace ctwatch {

BrandIndex::BrandIndex(std::vector<Brand> brands) : brands_(std::move(brands)) {
  for (uint32_t id = 0; id < brands_.size(); ++id) {
    const Brand& b = brands_[id];
    by_label_.Add(HashLabel(b.label), id);
    if (!b.skeleton.empty()) by_skeleton_.Add(HashLabel(b.skeleton), id);
    if (b.max_distance <= 0 || b.label.size() > kMaxHashedLabel) continue;
    const LabelHasher h(b.label);
    const size_t n = b.label.size();
    auto add_prefix = [&](size_t length, uint32_t packed) {
      if (length >= kDeletionPrefix) deletion_prefixes_.Add(LabelHasher::Seal(packed, length));
    };
    by_deletion_.Add(h.Whole(), id);
    add_prefix(n, PackDeletionPrefix(b.label));
    for (size_t i = 0; i < n; ++i) by_deletion_.Add(h.Without(i), id);
    // Deleting a character at or right of position kDeletionPrefix leaves the prefix as it
    // is: positions up to kDeletionPrefix (and kDeletionPrefix + 1 for the second deletion)
    // give every distinct prefix.
    for (size_t i = 0; i < std::min(n, kDeletionPrefix + 1); ++i)
      add_prefix(n - 1, PackDeletionPrefix(b.label, i));
    if (b.max_distance >= 2) {
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = i + 1; j < n; ++j) by_deletion_.Add(h.Without(i, j), id);
      }
      for (size_t i = 0; i < std::min(n, kDeletionPrefix + 1); ++i) {
        for (size_t j = i + 1; j < std::min(n, kDeletionPrefix + 2); ++j)
          add_prefix(n - 2, PackDeletionPrefix(b.label, i, j));
      }
    }
    const size_t d = static_cast<size_t>(b.max_distance);
    zero_.Extend(n - d, n);
    one_.Extend(d == 1 ? n : n - 1, n + 1);
    if (d >= 2) two_.Extend(n, n + 2);
  }
  by_label_.Finish();
  by_skeleton_.Finish();
  by_deletion_.Finish();
  deletion_prefixes_.Finish();
}

size_t BrandIndex::MemoryBytes() const {
  return by_label_.MemoryBytes() + by_skeleton_.MemoryBytes() + by_deletion_.MemoryBytes() +
         deletion_prefixes_.MemoryBytes();
}

}  // namespace ctwatch
