#include "percept/storage/answer_records.h"

#include <algorithm>

#include "percept/base/utf8.h"

namespace percept {

Result<ProposalPage> ListProposals(Store& store, const ProposalQuery& q) {
  // A cursor names an evaluation: its interview's seq and its position in the interview.
  constexpr int64_t kPerInterview = int64_t{1} << 20;
  constexpr size_t kWords = 5;
  if (q.words.size() > kWords) return Status::InvalidParameter("at most 5 words in 'q'");
  // The proposal's text, and a word's place in it, in each engine's words.
  const std::string text = store.dialect().JsonText("e.answers", "?1");
  const std::string find = store.dialect().find_function;
  std::string sql =
      "SELECT seq, position, instance_id, institution_id, completed_at, text FROM ("
      "SELECT s.seq, e.position, s.instance_id, e.institution_id, s.completed_at, " +
      text +
      " AS text FROM evaluations e "
      "JOIN submissions s ON s.seq = e.submission_seq "
      "WHERE e.survey_id = ?2 AND (e.submission_seq > ?3 OR (e.submission_seq = ?3 AND "
      "e.position > ?4))";
  if (!q.institutions.empty()) {
    sql += " AND e.institution_id IN (";
    for (size_t i = 0; i < q.institutions.size(); ++i)
      sql += (i ? ",?" : "?") + std::to_string(5 + kWords + i);
    sql += ")";
  }
  sql += ") p WHERE text IS NOT NULL";
  for (size_t w = 0; w < kWords; ++w) {
    const std::string n = std::to_string(5 + w);
    sql += " AND (?" + n + " = '' OR " + find + "(lower(text), lower(?" + n + ")) > 0)";
  }
  sql += " ORDER BY seq, position LIMIT ?" + std::to_string(5 + kWords + q.institutions.size());
  auto st = store.db()->Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, store.dialect().JsonPath(q.item))
      .Bind(2, q.survey_id)
      .Bind(3, q.after / kPerInterview)
      .Bind(4, q.after % kPerInterview);
  int index = 5;
  for (size_t w = 0; w < kWords; ++w) {
    // An unused slot is '' (a null pointer would bind NULL, and NULL = '' is not true).
    st->Bind(index++, w < q.words.size() ? std::string_view(q.words[w]) : std::string_view(""));
  }
  for (const std::string& id : q.institutions) st->Bind(index++, id);
  st->Bind(index, static_cast<int64_t>(q.limit) + 1);
  ProposalPage page;
  int64_t last = 0;
  while (st->Step()) {
    if (static_cast<int>(page.items.size()) == q.limit) {
      page.next = last;
      break;
    }
    last = st->Int(0) * kPerInterview + st->Int(1);
    // Stored text is UTF-8 as it arrives; what an older server let in is repaired on the way out.
    page.items.push_back({st->Text(2), st->Text(3), st->Text(4), ToValidUtf8(st->TextView(5))});
  }
  if (!st->status().ok()) return st->status();
  return page;
}

Result<std::vector<Referral>> ListReferrals(Store& store, const std::string& survey_id,
                                            const std::vector<std::string>& institutions,
                                            const std::string& from, const std::string& to) {
  // One institution at a time, so that each reads its own stretch of evaluations_referrals.
  auto st = store.Cached(
      "SELECT referred_by, count(*) FROM evaluations "
      "WHERE institution_id = ?1 AND completed_day >= ?2 AND completed_day <= ?3 "
      "AND referred_by IS NOT NULL AND survey_id = ?4 GROUP BY referred_by ORDER BY referred_by");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  std::vector<Referral> out;
  for (const std::string& id : institutions) {
    ResetOnExit reset(q);
    q.Bind(1, id)
        .Bind(2, from.empty() ? std::string_view("0000-00-00") : std::string_view(from))
        .Bind(3, to.empty() ? std::string_view("9999-99-99") : std::string_view(to))
        .Bind(4, survey_id);
    while (q.Step()) out.push_back({q.Text(0), id, q.Int(1)});
    if (!q.status().ok()) return q.status();
  }
  return out;
}

}  // namespace percept
