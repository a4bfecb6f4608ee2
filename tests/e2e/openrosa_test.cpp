// ODK Collect's conversation with Percept as an OpenRosa server (docs/openrosa.md), as Collect's
// documentation describes it: form list, download, HEAD, POST; resends, conflicts, hostile XML.
#include <catch2/catch.hpp>
#include <regex>

#include "percept/base/crypto.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

httplib::Headers OpenRosaHeaders() {
  return {{"X-OpenRosa-Version", "1.0"}, {"Date", "Mon, 23 Nov 2026 12:00:00 GMT"}};
}

httplib::Result Send(httplib::SSLClient& c, const std::string& key, const std::string& xml) {
  httplib::MultipartFormDataItems parts = {
      {"xml_submission_file", xml, "submission.xml", "text/xml"},
      {"photo.jpg", std::string(1000, 'x'), "photo.jpg", "image/jpeg"}};  // ignored, bounded
  return c.Post(("/key/" + key + "/submission").c_str(), OpenRosaHeaders(), parts);
}

int64_t Stored(ServerProcess& server) {
  return static_cast<int64_t>(StoredSubmissions(server).size());
}

}  // namespace

TEST_CASE("openrosa: Collect lists, downloads, checks and sends a form, and resends safely",
          "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  const std::string key = server.enumerator_token;

  auto list = c->Get(("/key/" + key + "/formList").c_str(), OpenRosaHeaders());
  REQUIRE(list);
  REQUIRE(list->status == 200);
  CHECK(list->get_header_value("X-OpenRosa-Version") == "1.0");
  CHECK(list->get_header_value("Content-Type").rfind("text/xml", 0) == 0);
  std::smatch m;
  REQUIRE(std::regex_search(list->body, m, std::regex("<hash>(md5:[0-9a-f]{32})</hash>")));
  const std::string hash = m[1];
  REQUIRE(std::regex_search(list->body, m, std::regex("<downloadUrl>https://[^/]+(/[^<]+)<")));
  const std::string download = m[1];
  CHECK(download == "/key/" + key + "/forms/chs-perception.xml");

  auto form = c->Get(download.c_str(), OpenRosaHeaders());
  REQUIRE(form);
  REQUIRE(form->status == 200);
  CHECK("md5:" + percept::Hex(percept::Md5(form->body)) == hash);  // Collect checks this
  CHECK(form->body.find("<h:html") != std::string::npos);

  auto head = c->Head(("/key/" + key + "/submission").c_str(), OpenRosaHeaders());
  REQUIRE(head);
  CHECK(head->status == 204);
  CHECK(std::stoll(head->get_header_value("X-OpenRosa-Accept-Content-Length")) > 100000);

  const json interview = DemoInterview("3f2b6c1e-2b1d-4c1e-9a0f-0123456789ab");
  const std::string xml = InstanceXml(interview);
  auto sent = Send(*c, key, xml);
  REQUIRE(sent);
  CHECK(sent->status == 201);
  CHECK(sent->body.find("<OpenRosaResponse") != std::string::npos);
  auto again = Send(*c, key, xml);  // Collect did not hear the answer and sends again
  REQUIRE(again);
  CHECK((again->status == 201 || again->status == 202));
  std::string changed = xml;
  changed.replace(changed.find("<household_size>"), 17, "<household_size>1");
  auto conflict = Send(*c, key, changed);
  REQUIRE(conflict);
  CHECK(conflict->status == 409);

  // Stored once, as the same interview a JSON client would have sent, and scored.
  const auto stored = StoredSubmissions(server);
  REQUIRE(stored.size() == 1);  // before the JSON one below
  CHECK(stored[0]["instance_id"] == interview["instance_id"]);
  CHECK(stored[0]["evaluations"].size() == interview["evaluations"].size());
  // The XML it arrived as, for analysts only: what it means, without the declaration (or any
  // comment, padding or attribute but the root's, docs/openrosa.md "What is kept").
  const std::string xml_path =
      "/api/v1/submissions/" + interview["instance_id"].get<std::string>() + ".xml";
  auto kept = c->Get(xml_path.c_str(), Bearer(server.analyst_token));
  REQUIRE(kept);
  CHECK(kept->status == 200);
  CHECK(kept->body == xml.substr(xml.find("<data")));
  CHECK(c->Get(xml_path.c_str(), Bearer(server.enumerator_token))->status == 403);
  const json by_json = DemoInterview("5f2b6c1e-2b1d-4c1e-9a0f-0123456789ab");
  REQUIRE(c->Post("/api/v1/submissions", Bearer(server.enumerator_token), by_json.dump(),
                  "application/json")
              ->status == 201);
  CHECK(c->Get("/api/v1/submissions/5f2b6c1e-2b1d-4c1e-9a0f-0123456789ab.xml",
               Bearer(server.analyst_token))
            ->status == 404);
  auto scores = c->Get("/api/v1/scores?survey=chs-perception", Bearer(server.analyst_token));
  REQUIRE(scores);
  CHECK(scores->status == 200);
  // Collect edits a sent form: the new instance names the old one in meta/deprecatedID, and
  // the old one is replaced (docs/supervision.md).
  json edited =
      DemoInterview("7f2b6c1e-2b1d-4c1e-9a0f-0123456789ab", {"cesfam-tal-1", "omil-tal"}, 9);
  std::string edited_xml = InstanceXml(edited);
  const size_t meta = edited_xml.find("</instanceID>");
  REQUIRE(meta != std::string::npos);
  edited_xml.insert(meta + 13, "<deprecatedID>uuid:" + interview["instance_id"].get<std::string>() +
                                   "</deprecatedID>");
  auto replaced = Send(*c, key, edited_xml);
  REQUIRE(replaced);
  CHECK(replaced->status == 201);
  const json history =
      GetJson(*c, "/api/v1/submissions/" + interview["instance_id"].get<std::string>() + "/reviews",
              server.analyst_token);
  CHECK(history["review_state"] == "deprecated");
  CHECK(history["items"][0]["comment"] == "replaced by 7f2b6c1e-2b1d-4c1e-9a0f-0123456789ab");
  // The token is a password: the log shows /key/…/ instead.
  CHECK(server.Log().find(key) == std::string::npos);
  CHECK(server.Log().find("/key/…/submission") != std::string::npos);
}

TEST_CASE("openrosa: broken, hostile or unauthorised submissions get 4xx fast and store nothing",
          "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  const std::string key = server.enumerator_token;
  json interview = DemoInterview("4f2b6c1e-2b1d-4c1e-9a0f-0123456789ab");
  const std::string good = InstanceXml(interview);

  std::string no_id = good;
  no_id.replace(no_id.find("<meta>"), no_id.find("</meta>") + 7 - no_id.find("<meta>"), "");
  std::string unknown_form = good;
  unknown_form.replace(unknown_form.find("chs-perception"), 14, "no-such-survey");
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol9 "
      "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><data>&lol9;</data>";
  const std::string external =
      "<?xml version=\"1.0\"?><!DOCTYPE data [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
      "<data id=\"chs-perception\" version=\"1\"><deviceid>&xxe;</deviceid></data>";
  for (const auto& [name, xml] :
       std::vector<std::pair<std::string, std::string>>{{"no instanceID", no_id},
                                                        {"unknown form", unknown_form},
                                                        {"not XML", "{\"instance_id\": 1}"},
                                                        {"billion laughs", laughs},
                                                        {"external entity", external}}) {
    CAPTURE(name);
    const auto start = std::chrono::steady_clock::now();
    auto res = Send(*c, key, xml);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(res->body.find("<OpenRosaResponse") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  }
  // No part named as Collect names it.
  auto bare = c->Post(("/key/" + key + "/submission").c_str(), OpenRosaHeaders(),
                      httplib::MultipartFormDataItems{{"file", good, "x.xml", "text/xml"}});
  REQUIRE(bare);
  CHECK(bare->status == 400);
  CHECK(Stored(server) == 0);

  // Only an enumerator's live token opens /key/.
  server.Admin("token revoke tab-e2e");
  auto revoked = Send(*c, key, good);
  REQUIRE(revoked);
  CHECK(revoked->status == 401);
  CHECK(c->Get(("/key/" + server.analyst_token + "/formList").c_str())->status == 403);
  CHECK(c->Get("/key/pct_unknown/formList")->status == 401);
  // Whatever goes wrong under /key/, Collect gets an OpenRosaResponse it can show.
  auto nowhere = c->Get(("/key/" + server.enumerator_token + "/nowhere").c_str());
  REQUIRE(nowhere);
  CHECK(nowhere->status == 404);
  CHECK(nowhere->get_header_value("X-OpenRosa-Version") == "1.0");
  CHECK(nowhere->body.find("<OpenRosaResponse") != std::string::npos);
  CHECK(Stored(server) == 0);
  // And the server is still there.
  CHECK(c->Get("/healthz")->status == 200);
}
