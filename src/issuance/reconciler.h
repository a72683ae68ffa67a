// IssuanceReconciler: decides again the issuance verdicts that may have changed since a
// sighting was judged, and applies the change through the Store (idempotent; nothing is ever
// deleted):
//   - the identity reached the inventory (the engine downloaded it, or it was imported): its
//     sightings become expected, and open foreign_issuance findings about it are resolved with
//     a note;
//   - an authorization in the policy now covers it: authorized, findings resolved likewise;
//   - an expected_pending sighting whose expectation closed (window over, cancelled, fulfilled
//     by another certificate) without the identity reaching the inventory: foreign, and its
//     foreign_issuance finding is raised (pending until the sighting's range is verified);
//   - a sighting that could not be judged when it was stored gets its verdict.
// expected is final; authorized only ever becomes expected. Foreign verdicts are looked at
// again only when the inventory, the expectations or the policy changed (or when forced).
// `ctwatch run` runs it periodically and after a policy reload; `ctwatch inventory import`,
// `ctwatch expect add|remove` and `ctwatch acme issue|renew` run it once.
// Thread-safety: Run() is serialised by a mutex; the Store and records are thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "core/clock.h"
#include "issuance/verdict.h"
#include "policy/matcher.h"
#include "store/store.h"

namespace ctwatch {

struct ReconcileReport {
  size_t certificates = 0;  // looked at
  size_t changed = 0;       // certificates whose verdict changed
  size_t expected = 0;      // ... to expected
  size_t pending = 0;       // ... to expected_pending
  size_t authorized = 0;    // ... to authorized
  size_t foreign = 0;       // ... to foreign
  size_t raised = 0;        // foreign_issuance findings raised
  size_t resolved = 0;      // foreign_issuance findings resolved
  size_t errors = 0;        // certificates that could not be decided (retried next time)

  std::string Summary() const;  // one line for logs and the CLI
};

class IssuanceReconciler {
 public:
  IssuanceReconciler(Store* store, OwnershipRecords* records, Clock* clock)
      : store_(store), records_(records), clock_(clock) {}

  // Re-judges with `matcher` (the policy in force). `force`: foreign verdicts too, even when
  // neither the inventory, the expectations nor the policy changed since the last run.
  Result<ReconcileReport> Run(const Matcher& matcher, bool force);

 private:
  Store* const store_;
  OwnershipRecords* const records_;
  Clock* const clock_;
  std::mutex mu_;
  std::string last_generation_;  // GUARDED_BY(mu_)
};

}  // namespace ctwatch
