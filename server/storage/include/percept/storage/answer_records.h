// What families answered, read across interviews (docs/analytics.md, part (b)): their
// proposals a page at a time, and the referrals that draw the circuits.
// Each function runs on the thread that owns `store`, in its transaction if one is open.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

// One family's proposal about one institution (docs/analytics.md, part (b)).
struct Proposal {
  std::string instance_id, institution_id, completed_at, text;
};

struct ProposalQuery {
  std::string survey_id;
  std::string item;                       // the definition's proposal item
  std::vector<std::string> institutions;  // empty: every institution
  std::vector<std::string> words;         // each must appear (case-insensitive for ASCII)
  int64_t after = 0;                      // cursor
  int limit = 100;
};

struct ProposalPage {
  std::vector<Proposal> items;
  std::optional<int64_t> next;
};

// A referral edge of the circuits (docs/analytics.md, part (b)): how many evaluations of `to`
// say `from` sent the family.
struct Referral {
  std::string from, to;
  int64_t n = 0;
};

// Proposals in the order they were stored, a page at a time.
Result<ProposalPage> ListProposals(Store& store, const ProposalQuery& q);

// Referrals into `institutions` in survey `survey_id` (every version), completed between
// `from` and `to` (YYYY-MM-DD; empty: unbounded), by (from, to).
Result<std::vector<Referral>> ListReferrals(Store& store, const std::string& survey_id,
                                            const std::vector<std::string>& institutions,
                                            const std::string& from, const std::string& to);

}  // namespace percept
