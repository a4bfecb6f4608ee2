// The supervisor's page (docs/supervision.md): the queue of interviews to review, filterable by
// flag, enumerator and state, with a bulk review of what is listed; one interview as a person
// reads it, its flags explained, its history and the review form; and the enumerators'
// dashboard with the deviance verdict. Server-drawn HTML, no script, like the report.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "percept/enumerators.h"
#include "percept/institutions.h"
#include "percept/storage/review_records.h"
#include "percept/storage/store.h"
#include "percept/storage/submission_records.h"
#include "percept/survey_definition.h"

namespace percept {

struct QueueRow {
  std::string instance_id, enumerator, completed_at, review_state;
  std::vector<std::string> flags;
  int evaluations = 0;
};

struct QueueView {
  const SurveyDefinition* survey = nullptr;
  std::string lang = "es", reader;
  std::string flag, enumerator, state;  // the filters
  std::vector<QueueRow> rows;
  bool more = false;  // more match than are listed
  std::vector<EnumeratorRow> enumerators;
  std::string message;  // what the last action did, or why it failed
};
std::string RenderQueue(const QueueView& v);

struct InterviewView {
  const SurveyDefinition* survey = nullptr;
  const std::map<std::string, Institution>* institutions = nullptr;
  std::string lang = "es", reader;
  InterviewInfo info;
  std::string body;  // the stored interview (JSON)
  std::vector<ReviewRecord> reviews;
  std::string error;  // a review that failed, said above the form
};
std::string RenderInterview(const InterviewView& v);

}  // namespace percept
