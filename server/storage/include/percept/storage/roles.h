// Who uses Percept (docs/api.md, "Roles"): each token and session carries one role, kept
// with the token in the store and checked by every route, and the caller it names.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// Who is calling, as a token or session names it: what the rules of every library above
// storage decide by (who may read which institution, which team a supervisor sees).
struct Principal {
  std::string name;  // the token's name: what logs and the audit trail show
  Role role = Role::kEnumerator;
  std::vector<std::string> institutions;  // institution role: what it may read
  std::string team;  // enumerators and supervisors; a supervisor without one sees every team

  // May this caller read data of institution `id`? Institution tokens: only their own.
  bool MayRead(const std::string& id) const {
    return role != Role::kInstitution ||
           std::find(institutions.begin(), institutions.end(), id) != institutions.end();
  }
};

}  // namespace percept
