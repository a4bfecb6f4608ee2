// End to end: the real `percept serve` on a loopback port over real TLS, spoken to as a tablet,
// a consultant and an institution would.
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

const char* kJson = "application/json";

struct Reply {
  int status = 0;
  json body;
};

Reply Send(httplib::SSLClient& c, const std::string& path, const std::string& body,
           const std::string& token, const char* type = kJson) {
  auto r = c.Post(path.c_str(), Bearer(token), body, type);
  REQUIRE(r);
  Reply out{r->status, json::parse(r->body, nullptr, false)};
  return out;
}

Reply Get(httplib::SSLClient& c, const std::string& path, const std::string& token) {
  auto r = token.empty() ? c.Get(path.c_str()) : c.Get(path.c_str(), Bearer(token));
  REQUIRE(r);
  return {r->status, json::parse(r->body, nullptr, false)};
}

std::string ErrorCode(const Reply& r) {
  if (!r.body.is_object() || !r.body.contains("error")) return "<no error body>";
  const json& e = r.body["error"];
  CHECK(e["message"].is_string());
  CHECK(e["details"].is_array());
  return e["code"].get<std::string>();
}

std::string FirstDetail(const Reply& r) {
  const json& d = r.body["error"]["details"];
  if (d.empty()) return "";
  return d[0]["path"].get<std::string>() + " " + d[0]["code"].get<std::string>();
}

// Every instance_id the server holds, read back through the API as a consultant would.
std::multiset<std::string> StoredIds(ServerProcess& server) {
  std::multiset<std::string> ids;
  for (const json& s : StoredSubmissions(server)) ids.insert(s["instance_id"].get<std::string>());
  return ids;
}

}  // namespace

TEST_CASE("an interview travels from tablet to durable row, and bad input gets its contract error",
          "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  std::mt19937_64 rng(42);
  const std::string id = RandomUuid(rng);
  const json interview = DemoInterview(id);
  const std::string& tok = server.enumerator_token;
  const std::string path = "/api/v1/submissions";

  Reply created = Send(*c, path, interview.dump(), tok);
  CHECK(created.status == 201);
  CHECK(created.body == json{{"instance_id", id}, {"status", "created"}});

  Reply again = Send(*c, path, interview.dump(2), tok);  // same content, other whitespace
  CHECK(again.status == 200);
  CHECK(again.body["status"] == "duplicate");

  json changed = interview;
  changed["evaluations"][0]["answers"]["opp_wait"] =
      7 - interview["evaluations"][0]["answers"]["opp_wait"].get<int>() + 1;
  Reply conflict = Send(*c, path, changed.dump(), tok);
  CHECK(conflict.status == 409);
  CHECK(ErrorCode(conflict) == "conflict");

  SECTION("bad requests each get their status and error body") {
    Reply malformed = Send(*c, path, "{\"instance_id\": ", tok);
    CHECK(malformed.status == 400);
    CHECK(ErrorCode(malformed) == "malformed_json");

    Reply wrong_type = Send(*c, path, interview.dump(), tok, "text/plain");
    CHECK(wrong_type.status == 415);
    CHECK(ErrorCode(wrong_type) == "unsupported_media_type");

    Reply huge = Send(*c, path, std::string(3 * 1024 * 1024, ' '), tok);
    CHECK(huge.status == 413);
    CHECK(ErrorCode(huge) == "payload_too_large");

    auto anonymous = c->Post(path.c_str(), interview.dump(), kJson);
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);
    CHECK(anonymous->get_header_value("WWW-Authenticate").find("Bearer") == 0);

    Reply bad_token = Send(*c, path, interview.dump(), "pct_not-a-real-token");
    CHECK(bad_token.status == 401);
    CHECK(ErrorCode(bad_token) == "unauthenticated");

    Reply analyst = Send(*c, path, interview.dump(), server.analyst_token);
    CHECK(analyst.status == 403);
    CHECK(ErrorCode(analyst) == "forbidden");

    json v = DemoInterview(RandomUuid(rng));
    v["survey_version"] = 99;
    Reply version = Send(*c, path, v.dump(), tok);
    CHECK(version.status == 422);
    CHECK(FirstDetail(version) == "/survey_version unknown_version");

    v = DemoInterview(RandomUuid(rng));
    v["evaluations"][0]["answers"]["opp_wait"] = 10;
    Reply range = Send(*c, path, v.dump(), tok);
    CHECK(range.status == 422);
    CHECK(ErrorCode(range) == "validation_failed");
    CHECK(FirstDetail(range) == "/evaluations/0/answers/opp_wait out_of_range");

    v = DemoInterview(RandomUuid(rng));
    v["evaluations"][1]["answers"]["opp_waiting"] = 3;
    Reply item = Send(*c, path, v.dump(), tok);
    CHECK(item.status == 422);
    CHECK(FirstDetail(item) == "/evaluations/1/answers/opp_waiting unknown_item");

    v = DemoInterview(RandomUuid(rng));
    v["evaluations"][1]["institution_id"] = "cesfam-atlantis";
    Reply inst = Send(*c, path, v.dump(), tok);
    CHECK(inst.status == 422);
    CHECK(FirstDetail(inst) == "/evaluations/1/institution_id unknown_institution");

    Reply deep = Send(*c, path, std::string(100000, '[') + std::string(100000, ']'), tok);
    CHECK(deep.status == 400);
    CHECK(ErrorCode(deep) == "malformed_json");

    Reply unknown_route = Get(*c, "/api/v1/nothing", tok);
    CHECK(unknown_route.status == 404);
    CHECK(ErrorCode(unknown_route) == "not_found");

    // None of that disturbed the server or what it stored.
    CHECK(Get(*c, "/healthz", "").status == 200);
    CHECK(StoredIds(server) == std::multiset<std::string>{id});
  }

  SECTION("a batch accepts and rejects each item on its own") {
    json bad = DemoInterview(RandomUuid(rng));
    bad["household"]["consent"] = false;
    const std::string fresh = RandomUuid(rng);
    json batch = {{"submissions", {interview, DemoInterview(fresh), bad, changed, 42}}};
    Reply r = Send(*c, path + "/batch", batch.dump(), tok);
    REQUIRE(r.status == 200);
    const json& res = r.body["results"];
    REQUIRE(res.size() == 5);
    CHECK(res[0]["status"] == "duplicate");
    CHECK(res[1] == json{{"instance_id", fresh}, {"status", "created"}});
    CHECK(res[2]["status"] == "rejected");
    CHECK(res[2]["error"]["details"][0]["path"] == "/household/consent");
    CHECK(res[2]["error"]["details"][0]["code"] == "consent_not_given");
    CHECK(res[3]["status"] == "rejected");
    CHECK(res[3]["error"]["code"] == "conflict");
    CHECK(res[4]["status"] == "rejected");
    CHECK(res[4]["instance_id"].is_null());

    json too_many = {{"submissions", json::array()}};
    for (int i = 0; i < 1001; ++i) too_many["submissions"].push_back(json::object());
    Reply big = Send(*c, path + "/batch", too_many.dump(), tok);
    CHECK(big.status == 413);
    CHECK(ErrorCode(big) == "payload_too_large");

    Reply shapeless = Send(*c, path + "/batch", "[1,2]", tok);
    CHECK(shapeless.status == 422);
  }

  SECTION("everything acknowledged survives SIGKILL") {
    std::set<std::string> acknowledged = {id};
    for (int b = 0; b < 5; ++b) {
      json batch = {{"submissions", json::array()}};
      for (int i = 0; i < 40; ++i)
        batch["submissions"].push_back(
            DemoInterview(RandomUuid(rng), {"cesfam-tal-1"}, b * 100 + i));
      Reply r = Send(*c, path + "/batch", batch.dump(), tok);
      REQUIRE(r.status == 200);
      for (const json& res : r.body["results"]) {
        REQUIRE(res["status"] == "created");
        acknowledged.insert(res["instance_id"].get<std::string>());
      }
    }
    for (int i = 0; i < 20; ++i) {
      std::string one = RandomUuid(rng);
      REQUIRE(Send(*c, path, DemoInterview(one).dump(), tok).status == 201);
      acknowledged.insert(one);
    }
    c.reset();
    server.Kill(SIGKILL);
    server.Start();
    auto stored = StoredIds(server);
    CHECK(stored.size() == acknowledged.size());
    CHECK(std::set<std::string>(stored.begin(), stored.end()) == acknowledged);
  }
}

TEST_CASE("16 concurrent tablets send 2,000 interviews, some twice: each is stored exactly once",
          "[e2e]") {
  ServerProcess server({"--rate-limit", "0"});  // sixteen tablets share one token here
  constexpr int kClients = 16, kInterviews = 2000;
  std::vector<std::string> ids;
  std::mt19937_64 rng(7);
  for (int i = 0; i < kInterviews; ++i) ids.push_back(RandomUuid(rng));
  std::atomic<int> next{0}, created{0}, duplicate{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&] {
      auto c = server.Client();
      for (int i; (i = next++) < kInterviews;) {
        std::string body = DemoInterview(ids[i], {"cesfam-tal-1", "omil-tal"}, i).dump();
        // Every 5th is sent twice by this client; every 7th also by the client that takes the
        // next index, so that two connections race on the same interview.
        int sends = (i % 5 == 0) ? 2 : 1;
        for (int s = 0; s < sends; ++s) {
          auto r = c->Post("/api/v1/submissions", Bearer(server.enumerator_token), body, kJson);
          if (!r) {
            ++other;
            continue;
          }
          (r->status == 201 ? created : r->status == 200 ? duplicate : other)++;
        }
        if (i % 7 == 0 && i + 1 < kInterviews) {
          std::string racing =
              DemoInterview(ids[i + 1], {"cesfam-tal-1", "omil-tal"}, i + 1).dump();
          auto r = c->Post("/api/v1/submissions", Bearer(server.enumerator_token), racing, kJson);
          if (!r) {
            ++other;
            continue;
          }
          (r->status == 201 ? created : r->status == 200 ? duplicate : other)++;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(other == 0);
  CHECK(created == kInterviews);
  auto stored = StoredIds(server);
  CHECK(stored.size() == static_cast<size_t>(kInterviews));
  CHECK(std::set<std::string>(stored.begin(), stored.end()) ==
        std::set<std::string>(ids.begin(), ids.end()));
}

TEST_CASE("roles: each token reaches only what its role may", "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  Reply surveys = Get(*c, "/api/v1/surveys", server.institution_token);
  REQUIRE(surveys.status == 200);
  CHECK(surveys.body[0]["id"] == "chs-perception");
  CHECK(surveys.body[0]["version"] == 2);  // the latest: version 2 annotates part (b)
  CHECK(surveys.body[0]["title"]["es"].is_string());

  Reply def = Get(*c, "/api/v1/surveys/chs-perception", server.enumerator_token);
  REQUIRE(def.status == 200);
  CHECK(def.body["dimensions"].size() == 6);
  CHECK(Get(*c, "/api/v1/surveys/census", server.enumerator_token).status == 404);

  Reply all = Get(*c, "/api/v1/institutions", server.enumerator_token);
  REQUIRE(all.status == 200);
  CHECK(all.body.size() == 40);
  Reply own = Get(*c, "/api/v1/institutions", server.institution_token);
  REQUIRE(own.status == 200);
  REQUIRE(own.body.size() == 1);
  CHECK(own.body[0]["id"] == "cesfam-tal-1");

  CHECK(Get(*c, "/api/v1/submissions?survey=chs-perception", server.enumerator_token).status ==
        403);
  CHECK(Get(*c, "/api/v1/submissions?survey=chs-perception", server.institution_token).status ==
        403);
  CHECK(Get(*c, "/api/v1/submissions?survey=census", server.analyst_token).status == 404);
  Reply bad_limit =
      Get(*c, "/api/v1/submissions?survey=chs-perception&limit=0", server.analyst_token);
  CHECK(bad_limit.status == 400);
  CHECK(ErrorCode(bad_limit) == "invalid_parameter");
  CHECK(Send(*c, "/api/v1/submissions", "{}", server.institution_token).status == 403);

  server.Admin("token revoke tab-e2e");
  Reply revoked =
      Send(*c, "/api/v1/submissions", DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71").dump(),
           server.enumerator_token);
  CHECK(revoked.status == 401);
}

TEST_CASE("the access log names the token, never the token itself or an answer", "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  json v = DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  v["evaluations"][0]["answers"]["proposal"] = "secreto-de-la-familia";
  REQUIRE(Send(*c, "/api/v1/submissions", v.dump(), server.enumerator_token).status == 201);
  v["evaluations"][0]["answers"]["opp_wait"] = 11;
  REQUIRE(Send(*c, "/api/v1/submissions", v.dump(), server.enumerator_token).status == 422);
  c.reset();
  CHECK(server.Kill(SIGTERM) == 0);  // a clean stop
  std::string log = server.Log();
  CHECK(log.find("POST /api/v1/submissions 201") != std::string::npos);
  CHECK(log.find("tab-e2e") != std::string::npos);
  CHECK(log.find(server.enumerator_token) == std::string::npos);
  CHECK(log.find("secreto-de-la-familia") == std::string::npos);
}

TEST_CASE("the server refuses to start on a definition that changed under a published version",
          "[e2e]") {
  ServerProcess server;
  server.Kill(SIGTERM);
  std::string dir = server.dir() + "/defs";
  Shell("mkdir -p '" + dir + "' && sed 's/Oportunidad/Oportunidades/' '" +
        SourcePath("survey_defs/chs-perception.json") + "' > '" + dir + "/chs-perception.json'");
  int status = 0;
  // (A server that started anyway would serve forever: `timeout` makes that a failure.)
  std::string out =
      Shell("cd '" + server.dir() + "' && timeout 60 " + std::string(PERCEPT_BIN) + " --db '" +
                server.db() + "' serve --port 0 --survey-dir '" + dir + "' 2>&1",
            &status);
  CHECK(status != 0);
  CHECK(out.find("new version") != std::string::npos);
}

TEST_CASE("a token over its rate limit gets 429 with Retry-After, and other tokens are not slowed",
          "[e2e]") {
  ServerProcess server({"--rate-limit", "5"});  // bursts of 10
  auto c = server.Client();
  int ok = 0, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 30; ++i) {
    Reply r = Get(*c, "/api/v1/surveys", server.enumerator_token);
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      CHECK(ErrorCode(r) == "too_many_requests");
    }
  }
  CHECK(ok >= 10);
  CHECK(ok <= 13);  // the burst, plus what refills while the loop runs
  CHECK(limited == 30 - ok);
  auto raw = c->Get("/api/v1/surveys", Bearer(server.enumerator_token));
  REQUIRE(raw);
  CHECK(raw->status == 429);
  CHECK(std::stoi(raw->get_header_value("Retry-After")) >= 1);
  CHECK(Get(*c, "/api/v1/surveys", server.analyst_token).status == 200);
  // Report pages count against the same limit.
  int pages_limited = 0;
  for (int i = 0; i < 15; ++i) {
    auto page = c->Get("/reports/chs-perception", Bearer(server.analyst_token));
    REQUIRE(page);
    if (page->status == 429) ++pages_limited;
  }
  CHECK(pages_limited >= 3);
}

TEST_CASE(
    "a household's RUT never reaches the disk: only its keyed hash, the same for the same RUT",
    "[e2e]") {
  ServerProcess server;
  struct stat key_stat {};
  REQUIRE(stat((server.dir() + "/household-key").c_str(), &key_stat) == 0);
  CHECK((key_stat.st_mode & 0777) == 0600);
  auto c = server.Client();
  json a = DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  a["household"]["household_key"] = "9.876.543-2";
  json b = DemoInterview("1b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  b["household"]["household_key"] = "98765432";
  REQUIRE(Send(*c, "/api/v1/submissions", a.dump(), server.enumerator_token).status == 201);
  REQUIRE(Send(*c, "/api/v1/submissions", b.dump(), server.enumerator_token).status == 201);
  // Resending with the RUT written differently is the same interview: a duplicate.
  a["household"]["household_key"] = "98765432";
  CHECK(Send(*c, "/api/v1/submissions", a.dump(), server.enumerator_token).status == 200);
  c.reset();
  REQUIRE(server.Kill(SIGTERM) == 0);
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(server.db() + suffix, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bytes += ss.str();
  }
  CHECK(bytes.find("98765432") == std::string::npos);
  CHECK(bytes.find("9.876.543") == std::string::npos);
  server.Start();
  const std::string jsonl =
      server.Admin("export --format jsonl --survey-dir " + SourcePath("survey_defs"));
  std::set<std::string> keys;
  std::stringstream lines(jsonl);
  for (std::string line; std::getline(lines, line);)
    keys.insert(json::parse(line)["household"]["household_key"].get<std::string>());
  REQUIRE(keys.size() == 1);
  CHECK(keys.begin()->rfind("hmac-sha256:", 0) == 0);
}

TEST_CASE(
    "TLS 1.2 and newer with forward-secret AEAD ciphers only, and oversized headers are refused",
    "[e2e]") {
  ServerProcess server;
  const std::string target = "127.0.0.1:" + std::to_string(server.port);
  auto handshake = [&](const std::string& args) {
    int status = 0;
    Shell(
        "echo | timeout 10 openssl s_client -connect " + target + " " + args + " > /dev/null 2>&1",
        &status);
    return status == 0;
  };
  CHECK(handshake("-tls1_3"));
  CHECK(handshake("-tls1_2"));
  CHECK(handshake("-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256"));
  CHECK_FALSE(handshake("-tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'"));
  CHECK_FALSE(handshake("-tls1 -cipher 'DEFAULT:@SECLEVEL=0'"));
  CHECK_FALSE(handshake("-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA"));  // CBC, not AEAD
  CHECK_FALSE(handshake("-tls1_2 -cipher AES128-GCM-SHA256"));       // no forward secrecy

  auto c = server.Client();
  auto huge = c->Get("/api/v1/surveys", {{"Authorization", "Bearer " + server.enumerator_token},
                                         {"X-Filler", std::string(64 * 1024, 'x')}});
  REQUIRE(huge);
  CHECK(huge->status == 431);
  auto again = server.Client()->Get("/healthz");  // and the server is still there
  REQUIRE(again);
  CHECK(again->status == 200);
}

TEST_CASE(
    "percept takes --db after the subcommand too, as the contract writes it, and --help says so",
    "[e2e]") {
  const std::string dir = std::string(PERCEPT_BINARY_DIR) + "/db-after";
  Shell("rm -rf '" + dir + "' && mkdir -p '" + dir + "'");
  const std::string db = dir + "/p.db";
  const std::string bin = PERCEPT_BIN;
  int status = -1;
  Shell(bin + " init --db '" + db + "' 2>&1", &status);
  REQUIRE(status == 0);
  Shell(bin + " institution import " + SourcePath("survey_defs/institutions-demo.csv") + " --db '" +
            db + "' 2>&1",
        &status);
  REQUIRE(status == 0);
  const std::string token =
      LastLine(Shell(bin + " token create --role enumerator --name after --db '" + db + "'"));
  CHECK(token.rfind("pct_", 0) == 0);
  const std::string listed = Shell(bin + " --db '" + db + "' token list 2>&1", &status);
  CHECK(status == 0);
  CHECK(listed.find("after") != std::string::npos);
  CHECK(Shell(bin + " institution list --db '" + db + "'").find("cesfam-tal-1") !=
        std::string::npos);
  for (const char* sub : {"init", "serve", "export", "token create", "institution import"}) {
    CAPTURE(sub);
    CHECK(Shell(bin + " " + sub + " --help").find("--db") != std::string::npos);
  }
}
