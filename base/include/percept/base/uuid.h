// Version-4 UUIDs, the form of every interview's instance_id (docs/formats.md).
#pragma once

#include <random>
#include <string>

namespace percept {

// A random (version 4, variant 1) UUID in lowercase, e.g. "3f2b…-4…-8…": the canonical form the
// server stores. Drawn from `rng`, so a seeded generator gives the same interviews every run.
std::string RandomUuid(std::mt19937_64& rng);

}  // namespace percept
