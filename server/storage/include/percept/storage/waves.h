// The waves of a survey (docs/waves.md): named windows of fieldwork — a baseline, then each
// later round — that scores, reports and exports can be asked for by name. The waves of one
// survey never overlap, so every interview is in at most one wave; a wave whose window holds
// interviews keeps its dates (its label may change), so what was published for it stays true.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

struct Wave {
  std::string survey_id, id, label;
  std::string from, to;  // YYYY-MM-DD, both days included
};

// The waves of `survey_id`, earliest first.
Result<std::vector<Wave>> ListWaves(Store& store, const std::string& survey_id);
Result<std::optional<Wave>> FindWave(Store& store, const std::string& survey_id,
                                     const std::string& id);
// The interviews of `wave`'s window that count (not rejected or replaced); with `every`, all
// that are stored, whatever their review state.
Result<int64_t> CountWaveInterviews(Store& store, const Wave& wave, bool every = false);

// What is wrong with a wave as given: an id of 1–32 letters, digits, '.', '_' or '-' starting
// with a letter or digit, dates YYYY-MM-DD with from <= to, a label of at most 200 bytes. Each
// problem names its field ("/id", "/from", "/to", "/label"). Empty when nothing is.
std::vector<Detail> WaveProblems(const Wave& wave);

// Defines a new wave, in a transaction of its own: ValidationFailed for WaveProblems, Conflict
// when the survey has a wave of that id, or one whose window overlaps (the message names it).
Status CreateWave(Store& store, const Wave& wave);

// Changes a wave's window or label (what is given): NotFound for an unknown wave; Conflict when
// the new window overlaps another wave's, or when its dates would change while its window holds
// interviews. Returns the wave as it now is.
Result<Wave> EditWave(Store& store, const std::string& survey_id, const std::string& id,
                      const std::optional<std::string>& from, const std::optional<std::string>& to,
                      const std::optional<std::string>& label);

}  // namespace percept
