// BrandIndex construction; see brand_index.h.
#include "policy/brand_index.h"

namespace ctwatch {

BrandIndex::BrandIndex(std::vector<Brand> brands) : brands_(std::move(brands)) {
  for (uint32_t id = 0; id < brands_.size(); ++id) {
    const Brand& b = brands_[id];
    by_label_.Add(HashLabel(b.label), id);
    if (!b.skeleton.empty()) by_skeleton_.Add(HashLabel(b.skeleton), id);
    if (b.max_distance <= 0 || b.label.size() > kMaxHashedLabel) continue;
    const LabelHasher h(b.label);
    const size_t n = b.label.size();
    by_deletion_.Add(h.Whole(), id);
    for (size_t i = 0; i < n; ++i) by_deletion_.Add(h.Without(i), id);
    if (b.max_distance >= 2) {
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = i + 1; j < n; ++j) by_deletion_.Add(h.Without(i, j), id);
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
}

size_t BrandIndex::MemoryBytes() const {
  return by_label_.MemoryBytes() + by_skeleton_.MemoryBytes() + by_deletion_.MemoryBytes();
}

}  // namespace ctwatch
