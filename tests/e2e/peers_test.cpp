// compare=type over HTTPS (docs/analytics.md, "Method 2"): the story of a CESFAM that is fine
// against the network but below the other CESFAMs, and of CESFAMs that are below the network
// but fine among CESFAMs, each flagged only under its own comparison; and the shape of method 2
// in /scores.
#include <catch2/catch.hpp>
#include <set>

#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

// The (institution, dimension) of every dimension critical point.
std::set<std::pair<std::string, std::string>> DimensionFlags(const json& items) {
  std::set<std::pair<std::string, std::string>> out;
  for (const json& item : items) {
    if (item["kind"] == "dimension")
      out.insert({item["institution_id"].get<std::string>(), item["dimension"].get<std::string>()});
  }
  return out;
}

}  // namespace

TEST_CASE("the story, compare=type: each CESFAM is flagged only under its own comparison",
          "[e2e]") {
  ServerProcess server;
  // A uniform network where CESFAMs are the better kind of office (transparency one point up),
  // except cesfam-tal-1, which is as good as the network; and where every CESFAM is slow
  // (opportunity one point down), as CESFAMs are next to the civil registry or the school.
  std::string plants;
  for (const char* id : {"cesfam-stgo-1", "cesfam-stgo-2", "cesfam-pa-1", "cesfam-pa-2",
                         "cesfam-tal-2", "cesfam-tem-1", "cesfam-tem-2"})
    plants += std::string(" --plant ") + id + ":transparency:+1";
  for (const char* id : {"cesfam-stgo-1", "cesfam-stgo-2", "cesfam-pa-1", "cesfam-pa-2",
                         "cesfam-tal-1", "cesfam-tal-2", "cesfam-tem-1", "cesfam-tem-2"})
    plants += std::string(" --plant ") + id + ":opportunity:-1";
  const std::string queue = TempPath("peers.db");
  server.Simulate(
      queue, "--households 1500 --days 10 --first-day 2026-05-01 --seed 41 --uniform" + plants);
  int status = 0;
  Shell(server.SyncCommand(queue) + " 2>&1", &status);
  REQUIRE(status == 0);
  auto c = server.Client();
  const std::string q = "/api/v1/critical-points?survey=chs-perception";

  // Against the whole network: every CESFAM is slow; cesfam-tal-1's transparency is not below.
  const auto network = DimensionFlags(GetJson(*c, q, server.analyst_token)["items"]);
  INFO("compare=network flags " << network.size());
  CHECK(network.size() == 8);
  for (const auto& [inst, dim] : network) {
    CHECK(inst.rfind("cesfam-", 0) == 0);
    CHECK(dim == "opportunity");
  }
  // Against the CESFAMs: no CESFAM is slower than the others, but cesfam-tal-1 is less
  // transparent than they are.
  json by_type = GetJson(*c, q + "&compare=type", server.analyst_token);
  CHECK(by_type["filters"]["compare"] == "type");
  const auto type = DimensionFlags(by_type["items"]);
  CHECK(type == std::set<std::pair<std::string, std::string>>{{"cesfam-tal-1", "transparency"}});
  for (const json& item : by_type["items"]) {
    if (item["kind"] != "dimension") continue;
    CHECK(item["type"] == "cesfam");
    CHECK(item["gap"].get<double>() < -5);
    CHECK(item["min_detectable_gap"].get<double>() >= 5);
  }

  // /scores under compare=type: per type network cells, each saying its type; the CESFAMs'
  // transparency above the network's.
  json scores =
      GetJson(*c, "/api/v1/scores?survey=chs-perception&compare=type", server.analyst_token);
  CHECK(scores["method"] == 2);
  std::set<std::string> types;
  for (const json& net : scores["network"]) types.insert(net["type"].get<std::string>());
  CHECK(types.count("cesfam"));
  CHECK(types.count("registro-civil"));
  json whole = GetJson(*c, "/api/v1/scores?survey=chs-perception", server.analyst_token);
  CHECK(whole["filters"]["compare"] == "network");
  CHECK_FALSE(whole["network"][0].contains("type"));
  double network_transparency = 0, cesfam_transparency = 0;
  for (const json& net : whole["network"])
    if (net["dimension"] == "transparency") network_transparency = net["index"];
  for (const json& net : scores["network"])
    if (net["dimension"] == "transparency" && net["type"] == "cesfam")
      cesfam_transparency = net["index"];
  CHECK(cesfam_transparency > network_transparency + 5);
  // Method 2's fields on every published cell.
  for (const json& cell : whole["cells"]) {
    if (cell["suppressed"].get<bool>()) continue;
    CHECK(cell.contains("half_width"));
    CHECK((cell["precision"] == "reliable") ==
          (cell["n"].get<int>() >= 60 && cell["half_width"].get<double>() <= 5));
  }

  // The part (b) endpoints take the same switch.
  json indicators =
      GetJson(*c, "/api/v1/indicators?survey=chs-perception&compare=type", server.analyst_token);
  CHECK(indicators["network"][0].contains("type"));
  json autonomy =
      GetJson(*c, "/api/v1/autonomy?survey=chs-perception&compare=type", server.analyst_token);
  CHECK(autonomy["peers"].size() == types.size());

  // The CSV tables add each type's pooled rows.
  auto table = c->Get("/api/v1/autonomy.csv?survey=chs-perception&compare=type",
                      Bearer(server.analyst_token));
  REQUIRE(table);
  CHECK(table->status == 200);
  CHECK(table->body.find("\nnetwork:cesfam,") != std::string::npos);
  CHECK(table->body.find("\nnetwork,") != std::string::npos);

  // An institution reads its own type's benchmark, but never a type of one or two other
  // offices (two kindergartens, two liceos): that would be their cells.
  json mine =
      GetJson(*c, "/api/v1/scores?survey=chs-perception&compare=type", server.institution_token);
  for (const json& net : mine["network"]) {
    INFO(net.dump());
    const std::string t = net["type"];
    CHECK(net["suppressed"] == (t == "jardin" || t == "liceo"));
  }
  for (const json& cell : mine["cells"]) CHECK(cell["institution_id"] == "cesfam-tal-1");

  // A wrong switch is a clear 400.
  auto bad =
      c->Get("/api/v1/scores?survey=chs-perception&compare=region", Bearer(server.analyst_token));
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(json::parse(bad->body)["error"]["message"].get<std::string>().find("compare") !=
        std::string::npos);
}
