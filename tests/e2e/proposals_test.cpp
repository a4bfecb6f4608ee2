// GET /api/v1/proposals (docs/api.md): what families propose, searchable, a page at a time, for
// analysts; for an institution about itself only when the server shares them.
#include <catch2/catch.hpp>

#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

// Three interviews, each proposing something to each institution it evaluates.
void SendProposals(ServerProcess& server) {
  auto c = server.Client();
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"1b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71", "Que den horas por teléfono"},
      {"2b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71", "Más paciencia con las personas mayores"},
      {"3b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71", "Horas por teléfono y buen trato"}};
  for (size_t i = 0; i < texts.size(); ++i) {
    json doc = DemoInterview(texts[i].first, {"cesfam-tal-1", "omil-tal"}, 10 + i);
    for (json& e : doc["evaluations"]) {
      e["answers"]["proposal"] =
          texts[i].second + " (" + e["institution_id"].get<std::string>() + ")";
    }
    REQUIRE(c->Post("/api/v1/submissions", Bearer(server.enumerator_token), doc.dump(),
                    "application/json")
                ->status == 201);
  }
}

json Get(ServerProcess& server, const std::string& path, const std::string& token, int* status) {
  auto r = server.Client()->Get(path.c_str(), Bearer(token));
  REQUIRE(r);
  *status = r->status;
  return json::parse(r->body);
}

}  // namespace

TEST_CASE("proposals: analysts list and search them, a page at a time", "[e2e]") {
  ServerProcess server;
  SendProposals(server);
  int status = 0;
  const std::string base = "/api/v1/proposals?survey=chs-perception";
  json all = Get(server, base, server.analyst_token, &status);
  REQUIRE(status == 200);
  REQUIRE(all["items"].size() == 6);  // 3 interviews x 2 institutions, in the order stored
  CHECK(all["items"][0]["instance_id"] == "1b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  CHECK(all["items"][0]["institution_id"] == "cesfam-tal-1");
  CHECK(all["items"][0]["text"] == "Que den horas por teléfono (cesfam-tal-1)");
  CHECK(all["next"].is_null());

  json found = Get(server, base + "&q=HORAS%20tel", server.analyst_token, &status);
  CHECK(status == 200);
  CHECK(found["items"].size() == 4);  // both words, in any case
  json one = Get(server, base + "&q=horas&institution=omil-tal", server.analyst_token, &status);
  REQUIRE(one["items"].size() == 2);
  CHECK(one["items"][1]["text"] == "Horas por teléfono y buen trato (omil-tal)");

  // Pages: every item once, in order.
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    json p = Get(server, base + "&limit=4" + (after.empty() ? "" : "&after=" + after),
                 server.analyst_token, &status);
    REQUIRE(status == 200);
    for (const json& item : p["items"]) seen.push_back(item["text"]);
    if (p["next"].is_null()) break;
    after = p["next"].get<std::string>();
  }
  REQUIRE(seen.size() == 6);
  for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == all["items"][i]["text"]);

  Get(server, base + "&limit=0", server.analyst_token, &status);
  CHECK(status == 400);
  Get(server, base, server.enumerator_token, &status);
  CHECK(status == 403);
  // By default an institution reads no proposal: free text may name a family.
  Get(server, base, server.institution_token, &status);
  CHECK(status == 403);
}

TEST_CASE("proposals: with --share-proposals an institution reads those about itself only",
          "[e2e]") {
  ServerProcess server({"--share-proposals"});
  SendProposals(server);
  int status = 0;
  const std::string base = "/api/v1/proposals?survey=chs-perception";
  json own = Get(server, base, server.institution_token, &status);
  REQUIRE(status == 200);
  REQUIRE(own["items"].size() == 3);
  for (const json& item : own["items"]) CHECK(item["institution_id"] == "cesfam-tal-1");
  Get(server, base + "&institution=omil-tal", server.institution_token, &status);
  CHECK(status == 404);  // another institution's answers like an unknown one
}
