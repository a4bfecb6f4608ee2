// What a hostile or careless client could do to other people's data, tried as that client
// (issue 25): corrections of someone else's interview, text an XML instance can carry that JSON
// cannot, XML read differently from what is stored, and stored text that is not UTF-8.
#include <catch2/catch.hpp>

#include "percept/base/database.h"
#include "percept/base/utf8.h"
#include "raw_client.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

const char* kJson = "application/json";

httplib::Result Post(httplib::SSLClient& c, const std::string& token, const json& doc) {
  return c.Post("/api/v1/submissions", Bearer(token), doc.dump(), kJson);
}

httplib::Result SendXml(httplib::SSLClient& c, const std::string& key, const std::string& xml) {
  httplib::MultipartFormDataItems parts = {
      {"xml_submission_file", xml, "submission.xml", "text/xml"}};
  return c.Post(("/key/" + key + "/submission").c_str(),
                {{"X-OpenRosa-Version", "1.0"}, {"Date", "Mon, 23 Nov 2026 12:00:00 GMT"}}, parts);
}

std::string StateOf(httplib::SSLClient& c, const std::string& token, const std::string& id) {
  return GetJson(c, "/api/v1/submissions/" + id + "/reviews", token)["review_state"];
}

std::string Id(const json& doc) { return doc["instance_id"].get<std::string>(); }

}  // namespace

TEST_CASE("a correction replaces only an interview of the same enumerator and survey", "[e2e]") {
  ServerProcess server({"--min-n", "1"});
  const std::string other =
      LastLine(server.Admin("token create --role enumerator --name enc-otro --team sur"));
  const std::string admin = LastLine(server.Admin("token create --role admin --name jefa"));
  const std::string supervisor =
      LastLine(server.Admin("token create --role supervisor --name sup"));
  auto c = server.Client();
  std::mt19937_64 rng(25);
  auto interview = [&](unsigned seed) {
    return DemoInterview(RandomUuid(rng), {"cesfam-tal-1", "omil-tal"}, seed);
  };
  const json victim = interview(1);
  REQUIRE(Post(*c, other, victim)->status == 201);
  const std::string scores = "/api/v1/scores?survey=chs-perception";
  const json before = GetJson(*c, scores, server.analyst_token);

  // Another enumerator's interview: refused in the error shape, by JSON and by XML alike, and
  // nothing changes (the victim counts, the attacker's interview is not stored).
  json attack = interview(2);
  attack["deprecated_id"] = Id(victim);
  auto refused = Post(*c, server.enumerator_token, attack);
  REQUIRE(refused);
  CHECK(refused->status == 422);
  CHECK(json::parse(refused->body)["error"]["details"][0]["path"] == "/deprecated_id");
  std::string xml = InstanceXml(attack);
  xml.insert(xml.find("</meta>"), "<deprecatedID>uuid:" + Id(victim) + "</deprecatedID>");
  auto by_xml = SendXml(*c, server.enumerator_token, xml);
  REQUIRE(by_xml);
  CHECK(by_xml->status == 400);
  CHECK(by_xml->body.find("not yours to replace") != std::string::npos);
  auto batch = c->Post("/api/v1/submissions/batch", Bearer(server.enumerator_token),
                       json{{"submissions", {attack}}}.dump(), kJson);
  REQUIRE(batch);
  CHECK(json::parse(batch->body)["results"][0]["status"] == "rejected");
  CHECK(StateOf(*c, admin, Id(victim)) == "received");
  CHECK(GetJson(*c, scores, server.analyst_token) == before);
  CHECK(StoredSubmissions(server).size() == 1);

  // A correction that arrives before its original (same enumerator): the original is
  // deprecated when it comes, and counts nowhere.
  const json original = interview(3);
  json early = interview(4);
  early["deprecated_id"] = Id(original);
  REQUIRE(Post(*c, server.enumerator_token, early)->status == 201);
  const json with_early = GetJson(*c, scores, server.analyst_token);
  REQUIRE(Post(*c, server.enumerator_token, original)->status == 201);
  CHECK(StateOf(*c, admin, Id(original)) == "deprecated");
  json after_original = GetJson(*c, scores, server.analyst_token);
  CHECK(after_original["excluded"] == with_early["excluded"].get<int>() + 1);
  after_original["excluded"] = with_early["excluded"];
  CHECK(after_original == with_early);
  // Someone else's early "correction" cannot claim an interview before it arrives.
  const json claimed = interview(5);
  json squatter = interview(6);
  squatter["deprecated_id"] = Id(claimed);
  REQUIRE(Post(*c, server.enumerator_token, squatter)->status == 201);
  REQUIRE(Post(*c, other, claimed)->status == 201);
  CHECK(StateOf(*c, admin, Id(claimed)) == "received");

  // A supervisor cannot bring a deprecated interview back; an admin can, and it counts again.
  auto patch = [&](const std::string& token, const std::string& id, const json& body) {
    return c->Patch(("/api/v1/submissions/" + id).c_str(), Bearer(token), body.dump(), kJson);
  };
  CHECK(patch(supervisor, Id(original), {{"review_state", "received"}})->status == 409);
  auto undone = patch(admin, Id(original), {{"review_state", "received"}, {"comment", "error"}});
  REQUIRE(undone);
  CHECK(undone->status == 200);
  CHECK(StateOf(*c, admin, Id(original)) == "received");
  CHECK(GetJson(*c, scores, server.analyst_token) != with_early);

  // A review to the state an interview already has keeps its new comment.
  REQUIRE(patch(supervisor, Id(early), {{"review_state", "received"}, {"comment", "revisada"}})
              ->status == 200);
  const json history = GetJson(*c, "/api/v1/submissions/" + Id(early) + "/reviews", supervisor);
  REQUIRE(!history["items"].empty());
  CHECK(history["items"].back()["comment"] == "revisada");
}

TEST_CASE("openrosa: text JSON could not carry, and XML JSON would read otherwise, is refused",
          "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  const std::string key = server.enumerator_token;
  const json interview = DemoInterview("6a2b6c1e-2b1d-4c1e-9a0f-0123456789ab");
  const std::string good = InstanceXml(interview);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string x = good;
    const size_t at = x.find(from);
    REQUIRE(at != std::string::npos);
    return x.replace(at, from.size(), to);
  };
  const std::string deviceid = "<deviceid>tab-017</deviceid>";
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"a byte that is not UTF-8", with("tab-017", "tab-\xff")},
      {"Latin-1 text", with("Que atiendan", "Que atiend\xe1n")},
      {"a surrogate by reference", with("Que atiendan", "Que &#xD800; atiendan")},
      {"NUL by reference", with("Que atiendan", "Que &#0;atiendan")},
      {"a C1 control", with("Que atiendan", "Que \xc2\x85 atiendan")},
      {"an answer given twice", with("<opp_wait>", "<opp_wait>1</opp_wait><opp_wait>")},
      {"two meta blocks", with("<meta>",
                               "<meta><instanceID>uuid:7a2b6c1e-2b1d-4c1e-9a0f-"
                               "0123456789ab</instanceID></meta><meta>")},
      {"version 1junk", with("version=\"1\"", "version=\"1junk\"")},
      {"version 1.9", with("version=\"1\"", "version=\"1.9\"")},
      {"version ' 1'", with("version=\"1\"", "version=\" 1\"")},
      {"mixed content", with("<opp_wait>", "<opp_wait>3<x/>")},
      {"a device id given twice", with(deviceid, deviceid + deviceid)},
  };
  for (const auto& [name, xml] : refused) {
    CAPTURE(name);
    auto res = SendXml(*c, key, xml);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(res->body.find("<OpenRosaResponse") != std::string::npos);
  }
  CHECK(StoredSubmissions(server).empty());

  // ODK's form engine outside Collect leaves the device id empty: taken, as Central takes it.
  auto web = SendXml(*c, key, with(deviceid, "<deviceid/>"));
  REQUIRE(web);
  CHECK(web->status == 201);
  json no_device = DemoInterview("8a2b6c1e-2b1d-4c1e-9a0f-0123456789ab");
  no_device.erase("device_id");
  CHECK(Post(*c, key, no_device)->status == 201);

  // What is kept is what the instance means: a 1.9 MB attribute nobody reads is not stored.
  json padded_doc = DemoInterview("9a2b6c1e-2b1d-4c1e-9a0f-0123456789ab");
  std::string padded = InstanceXml(padded_doc);
  padded.insert(padded.find("<household>") + 10, " pad=\"" + std::string(1900000, 'x') + "\"");
  auto sent = SendXml(*c, key, padded);
  REQUIRE(sent);
  CHECK(sent->status == 201);
  auto kept = c->Get(("/api/v1/submissions/" + Id(padded_doc) + ".xml").c_str(),
                     Bearer(server.analyst_token));
  REQUIRE(kept);
  CHECK(kept->status == 200);
  CHECK(kept->body.size() < 20000);
  CHECK(kept->body.find("pad=") == std::string::npos);
  CHECK(kept->body.find("<opp_wait>") != std::string::npos);
  CHECK(StoredSubmissions(server).size() == 3);
}

TEST_CASE("stored text that is not UTF-8 breaks no page, export or API answer", "[e2e][pg]") {
  // What an older server let in through OpenRosa, on SQLite. PostgreSQL's text never holds
  // such bytes: it refuses them itself.
  ServerProcess server({"--min-n", "1"});
  const std::string supervisor = LastLine(server.Admin("token create --role supervisor --name s"));
  auto c = server.Client();
  std::mt19937_64 rng(26);
  std::vector<std::string> ids;
  for (unsigned i = 0; i < 3; ++i) {
    const json doc = DemoInterview(RandomUuid(rng), {"cesfam-tal-1", "omil-tal"}, i + 1);
    REQUIRE(Post(*c, server.enumerator_token, doc)->status == 201);
    ids.push_back(Id(doc));
  }
  if (TestingOnPostgres()) {
    auto db = percept::Database::Open(server.db(), false);
    REQUIRE(db.ok());
    CHECK_FALSE((*db)
                    ->Exec("UPDATE submissions SET body = convert_from('\\xe1ff'::bytea, "
                           "'UTF8')")
                    .ok());
    return;
  }
  // A Latin-1 byte in one interview's proposal, where the body and the answers keep it.
  const std::string bad = "'Que ' || CAST(X'E1FF' AS TEXT) || 'atiendan'";
  int status = 0;
  Shell("sqlite3 '" + server.db() +
            "' \".timeout 5000\" \"UPDATE submissions SET body = "
            "replace(body, 'Que atiendan', " +
            bad + ") WHERE instance_id = '" + ids[1] +
            "'; UPDATE evaluations SET answers = replace(answers, 'Que atiendan', " + bad +
            ") WHERE submission_seq = (SELECT seq FROM submissions WHERE instance_id = '" + ids[1] +
            "');\"",
        &status);
  REQUIRE(status == 0);

  // The API answers valid JSON, with U+FFFD where the bytes were.
  const json listed = GetJson(*c, "/api/v1/submissions?survey=chs-perception", supervisor);
  REQUIRE(listed["items"].size() == 3);
  CHECK(listed["items"].dump().find("Que \xEF\xBF\xBD") != std::string::npos);
  const json proposals =
      GetJson(*c, "/api/v1/proposals?survey=chs-perception", server.analyst_token);
  CHECK(!proposals["items"].empty());
  // Pages answer 200, with the interview in them.
  for (const std::string& path :
       {std::string("/supervise/chs-perception"), "/supervise/chs-perception/interviews/" + ids[1],
        std::string("/reports/chs-perception")}) {
    CAPTURE(path);
    auto page = c->Get(
        path.c_str(), Bearer(path.rfind("/supervise", 0) == 0 ? supervisor : server.analyst_token));
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(percept::IsValidUtf8(page->body));
  }
  auto bulk = c->Post(
      "/supervise/chs-perception/bulk",
      {{"Authorization", "Bearer " + supervisor}, {"Sec-Fetch-Site", "same-origin"}},
      "state=received&review_state=approved&comment=ok", "application/x-www-form-urlencoded");
  REQUIRE(bulk);
  CHECK(bulk->status < 400);
  // Every export has every interview, in valid UTF-8; none stops half way.
  for (const char* format : {"csv", "csv-long", "jsonl", "sav"}) {
    CAPTURE(format);
    const std::string out = server.dir() + "/export." + format;
    server.Admin(std::string("export --survey chs-perception --format ") + format + " --out '" +
                 out + "' --survey-dir '" + SourcePath("survey_defs") + "'");
    std::ifstream in(out, std::ios::binary);
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::string& id : ids) CHECK(file.find(id) != std::string::npos);
    if (std::string(format) != "sav") CHECK(percept::IsValidUtf8(file));
  }
}

TEST_CASE("openrosa: refusals before routing are OpenRosaResponses, and no spelling logs a token",
          "[e2e]") {
  ServerProcess server;
  const std::string key = server.enumerator_token;
  // Refused by the connection layer before a byte of the body: still what Collect reads.
  RawTlsClient raw(server);
  REQUIRE(raw.Send("POST /key/" + key +
                   "/submission HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: multipart/form-data; boundary=b\r\n"
                   "Content-Length: 104857600\r\n\r\n"));
  const std::string answer = raw.ReadAll(5);
  CHECK(StatusOf(answer) == 413);
  CHECK(answer.find("X-OpenRosa-Version: 1.0") != std::string::npos);
  CHECK(answer.find("<OpenRosaResponse") != std::string::npos);
  // The API's own refusals stay JSON.
  RawTlsClient api(server);
  REQUIRE(api.Send("POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                   "\r\nContent-Type: application/json\r\n"
                   "Content-Length: 104857600\r\n\r\n"));
  const std::string json_answer = api.ReadAll(5);
  CHECK(StatusOf(json_answer) == 413);
  CHECK(BodyOf(json_answer)["error"]["code"] == "payload_too_large");
  // Near misses of /key/{token}/ reach no route, and the log never shows the token.
  auto c = server.Client();
  for (const std::string& path : {"//key/" + key + "/formList", "/Key/" + key + "/formList",
                                  "/KEY/" + key + "/submission", "/api/v1/" + key}) {
    CAPTURE(path);
    auto r = c->Get(path.c_str());
    REQUIRE(r);
    CHECK(r->status >= 400);
    if (path.rfind("/api", 0) != 0) CHECK(r->body.find("<OpenRosaResponse") != std::string::npos);
  }
  CHECK(server.Log().find(key) == std::string::npos);
  CHECK(server.Log().find(key.substr(4)) == std::string::npos);
}

namespace {

// nginx with the shipped deploy/nginx-percept.conf in front of `server`, as bench/two_servers.sh
// runs it; stopped when it goes.
class Nginx {
 public:
  explicit Nginx(const ServerProcess& server) : dir_(server.dir() + "/nginx") {
    int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
    ::close(probe);
    const std::string upstream = std::to_string(server.port);
    Shell("mkdir -p '" + dir_ + "' && cd '" + dir_ +
          "' && mkdir -p client-body proxy fastcgi "
          "uwsgi scgi && chmod 777 client-body proxy fastcgi uwsgi scgi && sed -e 's|@DIR@|" +
          dir_ + "|g' -e 's|@PORT_A@|" + upstream + "|' -e 's|@PORT_B@|" + upstream +
          "|' -e 's|@PORT@|" + std::to_string(port) + "|' -e 's|@CERT@|" + server.dir() +
          "/dev-cert.pem|' -e 's|@KEY@|" + server.dir() + "/dev-key.pem|' " +
          SourcePath("deploy/nginx-percept.conf") + " > nginx.conf && (nginx -c '" + dir_ +
          "/nginx.conf' -p '" + dir_ + "' > /dev/null 2>&1 &)");
    for (int i = 0; i < 100 && !std::ifstream(dir_ + "/nginx.pid"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(std::ifstream(dir_ + "/nginx.pid"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~Nginx() { Shell("kill $(cat '" + dir_ + "/nginx.pid') 2> /dev/null"); }
  int port = 0;

 private:
  std::string dir_;
};

// One request through the proxy from `source` (any 127/8 address is this machine); its status.
int Through(const Nginx& nginx, const ServerProcess& server, const char* source,
            const std::string& request) {
  RawTlsClient c(nginx.port, server.dir() + "/dev-cert.pem", source);
  REQUIRE(c.Send(request));
  return StatusOf(c.ReadAll(5));
}

std::string SignIn(const std::string& token) {
  const std::string body = "token=" + token;
  return "POST /sign-in HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: same-origin\r\n"
         "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("behind nginx: each client is itself, and none of them is this machine", "[e2e]") {
  const std::string metrics =
      "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  SECTION("with --trusted-proxy: rate limits and the audit trail see the client") {
    ServerProcess server({"--trusted-proxy", "127.0.0.1"});
    Nginx nginx(server);
    CHECK(Through(nginx, server, "127.0.0.9", metrics) == 401);
    // One guesser is slowed; the others, each at its own address, sign in.
    int refused = 0;
    for (int i = 0; i < 14; ++i)
      refused +=
          Through(nginx, server, "127.0.0.2", SignIn("pct_guess" + std::to_string(i))) == 429;
    CHECK(refused >= 3);
    for (int i = 0; i < 8; ++i) {
      const std::string source = "127.0.1." + std::to_string(i + 1);
      CAPTURE(source);
      CHECK(Through(nginx, server, source.c_str(), SignIn(server.analyst_token)) == 303);
    }
    const std::string audit = server.Admin("audit --limit 100");
    CHECK(audit.find("unknown (127.0.0.2)") != std::string::npos);
    CHECK(audit.find("unknown (127.0.0.1)") == std::string::npos);
    // A client cannot name itself: only the proxy's last word counts.
    RawTlsClient direct(server);
    REQUIRE(
        direct.Send("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 127.0.0.1"
                    "\r\nConnection: close\r\n\r\n"));
    CHECK(StatusOf(direct.ReadAll(5)) == 401);
  }
  SECTION("without it: a proxied request is never local all the same") {
    ServerProcess server;
    Nginx nginx(server);
    CHECK(Through(nginx, server, "127.0.0.9", metrics) == 401);
    RawTlsClient direct(server);  // this machine, no proxy: as before
    REQUIRE(direct.Send(metrics));
    CHECK(StatusOf(direct.ReadAll(5)) == 200);
  }
}

TEST_CASE("the supervisor's own forms pass in browsers without Sec-Fetch-Site, others' do not",
          "[e2e]") {
  ServerProcess server;
  const std::string supervisor = LastLine(server.Admin("token create --role supervisor --name s"));
  auto c = server.Client();
  auto page = c->Get("/supervise/chs-perception", Bearer(supervisor));
  REQUIRE(page);
  // What makes an older browser send our Origin, not "null", with our own forms.
  CHECK(page->get_header_value("Referrer-Policy") == "same-origin");
  auto post = [&](const char* origin) {
    RawTlsClient raw(server);
    const std::string body = "state=received&review_state=approved&comment=ok";
    REQUIRE(
        raw.Send("POST /supervise/chs-perception/bulk HTTP/1.1\r\nHost: localhost\r\n"
                 "Authorization: Bearer " +
                 supervisor + "\r\nOrigin: " + origin +
                 "\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
                 "Content-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body));
    return StatusOf(raw.ReadAll(5));
  };
  CHECK(post("https://localhost") == 303);
  CHECK(post("null") == 403);
  CHECK(post("https://evil.example") == 403);
}

TEST_CASE("the enumerator summary reads a survey once for all who ask, and never stale", "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  std::vector<std::string> supervisors;
  for (int i = 0; i < 6; ++i)
    supervisors.push_back(
        LastLine(server.Admin("token create --role supervisor --name sup-" + std::to_string(i))));
  std::mt19937_64 rng(27);
  auto send = [&](unsigned seed) {
    REQUIRE(
        Post(*c, server.enumerator_token, DemoInterview(RandomUuid(rng), {"cesfam-tal-1"}, seed))
            ->status == 201);
  };
  auto reads = [&] {
    const std::string text = c->Get("/metrics")->body;
    const std::string name = "\npercept_enumerator_summary_reads_total ";
    const size_t at = text.find(name);
    REQUIRE(at != std::string::npos);
    return std::stoll(text.substr(at + name.size()));
  };
  const std::string path = "/api/v1/enumerators?survey=chs-perception";
  for (unsigned i = 0; i < 3; ++i) send(i + 1);
  CHECK(GetJson(*c, path, supervisors[0])["items"][0]["interviews"] == 3);
  CHECK(reads() == 1);
  // Many supervisors at once, nothing new: one read served them all.
  std::vector<std::thread> callers;
  std::atomic<int> ok{0}, busy{0};
  for (int i = 0; i < 12; ++i) {
    callers.emplace_back([&, i] {
      auto own = server.Client();
      auto r = own->Get(path.c_str(), Bearer(supervisors[i % supervisors.size()]));
      if (r && r->status == 200) ok++;
      if (r && r->status == 429) busy++;
    });
  }
  for (std::thread& t : callers) t.join();
  CHECK(ok + busy == 12);
  CHECK(ok >= 6);
  CHECK(reads() == 1);
  // What a tablet sent just before is in the very next answer.
  send(9);
  CHECK(GetJson(*c, path, supervisors[1])["items"][0]["interviews"] == 4);
  CHECK(reads() == 2);
}
