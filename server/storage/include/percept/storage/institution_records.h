// The institutions of the network (docs/storage.md, "Tables"): inserted or updated by id, listed,
// found.
// Each function runs on the thread that owns `store`, in its transaction if one is open.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/institutions.h"
#include "percept/storage/store.h"

namespace percept {

// Institutions: insert or update by id, all in one transaction.
Status UpsertInstitutions(Store& store, const std::vector<Institution>& institutions);

Result<std::vector<Institution>> ListInstitutions(Store& store);

Result<std::optional<Institution>> FindInstitution(Store& store, const std::string& id);

}  // namespace percept
