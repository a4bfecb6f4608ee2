#include "percept/storage/roles.h"

namespace percept {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kEnumerator:
      return "enumerator";
    case Role::kInstitution:
      return "institution";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
    case Role::kSupervisor:
      return "supervisor";
  }
  return "enumerator";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r :
       {Role::kEnumerator, Role::kInstitution, Role::kAnalyst, Role::kAdmin, Role::kSupervisor}) {
    if (name == RoleName(r)) return r;
  }
  return std::nullopt;
}

}  // namespace percept
