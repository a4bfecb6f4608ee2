// Who uses Percept (docs/api.md, "Roles"): each token and session carries one role, kept
// with the token in the store and checked by every route.
#pragma once

#include <optional>
#include <string_view>

namespace percept {

enum class Role {
  kEnumerator,   // submits interviews from a tablet; reads nothing back
  kInstitution,  // reads the scores of its own institutions against the network
  kAnalyst,      // reads every score, report and export
  kAdmin,        // an analyst who also administers (the command line does the rest)
  kSupervisor,   // reviews the interviews of its team's enumerators (docs/supervision.md)
};
// "enumerator", "institution", "analyst", "admin", "supervisor".
const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

}  // namespace percept
