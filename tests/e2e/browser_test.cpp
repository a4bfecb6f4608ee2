// The report in a real browser: Debian's Chromium, headless, driven over WebDriver
// (chromedriver) against the real server with a wave that has a planted critical point.
#include <catch2/catch.hpp>
#include <fstream>

#include "percept/institutions.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

std::string DecodeBase64(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0;
  uint32_t value = 0;  // only the low 14 bits matter; unsigned, so the shift may carry out
  for (char c : in) {
    const size_t pos = kAlphabet.find(c);
    if (pos == std::string::npos) continue;
    value = (value << 6) | static_cast<uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xFF);
    }
  }
  return out;
}

// A chromedriver process and one headless Chromium session, spoken to in WebDriver's JSON.
class Browser {
 public:
  Browser() {
    int probe = 0;
    Shell("test -x /usr/bin/chromium && test -x /usr/bin/chromedriver", &probe);
    if (probe != 0)
      throw std::runtime_error(
          "chromium and chromedriver are needed (scripts/install-deps.sh installs them)");
    port_ = 9515 + static_cast<int>(getpid() % 2000);
    std::fflush(stdout);
    pid_ = fork();
    if (pid_ == 0) {
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
      const std::string arg = "--port=" + std::to_string(port_);
      execl("/usr/bin/chromedriver", "chromedriver", arg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    http_->set_read_timeout(60, 0);
    for (int i = 0; i < 200; ++i) {
      auto r = http_->Get("/status");
      if (r && r->status == 200 && json::parse(r->body)["value"]["ready"] == true) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    json caps = {
        {"capabilities",
         {{"alwaysMatch",
           {{"browserName", "chrome"},
            {"acceptInsecureCerts", true},  // the server's development certificate is self-signed
            {"goog:chromeOptions",
             {{"binary", "/usr/bin/chromium"},
              {"args",
               {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1800", "--disable-dev-shm-usage"}}}}}}}}};
    json created = Call("POST", "/session", caps);
    session_ = created["value"]["sessionId"].get<std::string>();
  }
  ~Browser() {
    if (!session_.empty() && http_) http_->Delete(("/session/" + session_).c_str());
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  json Call(const std::string& method, const std::string& path, const json& body = json::object()) {
    httplib::Result r = method == "GET"
                            ? http_->Get(path.c_str())
                            : http_->Post(path.c_str(), body.dump(), "application/json");
    if (!r) throw std::runtime_error("chromedriver did not answer " + path);
    json out = json::parse(r->body, nullptr, false);
    if (r->status != 200)
      throw std::runtime_error("WebDriver " + path + ": " + r->body.substr(0, 400));
    return out;
  }
  std::string S(const std::string& rest) const { return "/session/" + session_ + rest; }

  void Go(const std::string& url) { Call("POST", S("/url"), {{"url", url}}); }
  std::string Url() { return Call("GET", S("/url"))["value"].get<std::string>(); }
  // A form submission may return before the next page has loaded: wait for it to arrive.
  // `ready` is an element the arriving page has once it is fully there.
  std::string WaitUrl(const std::string& part, const std::string& ready) {
    for (int i = 0; i < 200; ++i) {
      const std::string url = Url();
      if (url.find(part) != std::string::npos && Count(ready) >= 1) return url;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Url();
  }
  std::string Source() { return Call("GET", S("/source"))["value"].get<std::string>(); }
  // The element matching a CSS selector; throws when there is none.
  std::string Find(const std::string& css) {
    json v = Call("POST", S("/element"), {{"using", "css selector"}, {"value", css}})["value"];
    return v.begin().value().get<std::string>();
  }
  size_t Count(const std::string& css) {
    return Call("POST", S("/elements"), {{"using", "css selector"}, {"value", css}})["value"]
        .size();
  }
  void Type(const std::string& css, const std::string& text) {
    Call("POST", S("/element/" + Find(css) + "/value"), {{"text", text}});
  }
  void Click(const std::string& css) { Call("POST", S("/element/" + Find(css) + "/click")); }
  void Screenshot(const std::string& path) {
    std::ofstream(path, std::ios::binary)
        << DecodeBase64(Call("GET", S("/screenshot"))["value"].get<std::string>());
  }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<httplib::Client> http_;
  std::string session_;
};

}  // namespace

TEST_CASE(
    "in a real browser: sign in, find the planted critical point, and an institution sees only "
    "itself") {
  ServerProcess server;
  const std::string queue = server.dir() + "/q.db";
  server.Simulate(queue,
                  "--households 1500 --seed 100 --uniform --plant cesfam-tal-2:transparency:-2");
  int status = 0;
  Shell(server.SyncCommand(queue) + " 2>&1", &status);
  REQUIRE(status == 0);

  Browser browser;
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port);
  browser.Go(base + "/reports/chs-perception");
  CHECK(browser.Url().find("/sign-in") !=
        std::string::npos);  // no session yet: to the sign-in page
  browser.Type("input[name=token]", server.analyst_token);
  browser.Click("#sign-in");
  CHECK(browser.WaitUrl("/reports/", "#method").find("/reports/chs-perception") != std::string::npos);
  // The planted point: in the critical-points table, and marked on the heat map.
  CHECK(browser.Count(
            "#critical tr[data-institution='cesfam-tal-2'][data-dimension='transparency']") == 1);
  CHECK(browser.Count(
            "#heatmap rect.crit[data-institution='cesfam-tal-2'][data-dimension='transparency']") ==
        1);
  CHECK(browser.Source().find("CESFAM San Vicente") != std::string::npos);
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-analyst.png");
  browser.Go(base + "/reports/chs-perception?lang=en");
  CHECK(browser.Source().find("Critical points") != std::string::npos);

  // Sign out, then in as CESFAM Los Cerros (cesfam-tal-1).
  browser.Click("header form button");
  CHECK(browser.WaitUrl("/sign-in", "input[name=token]").find("/sign-in") != std::string::npos);
  browser.Go(base + "/reports/chs-perception");
  CHECK(browser.Url().find("/sign-in") != std::string::npos);  // the session is gone
  browser.Type("input[name=token]", server.institution_token);
  browser.Click("#sign-in");
  REQUIRE(browser.WaitUrl("/reports/", "#method").find("/reports/chs-perception") != std::string::npos);
  const std::string page = browser.Source();
  INFO(browser.Url() << "\n" << page.substr(0, 1500));
  CHECK(page.find("CESFAM Los Cerros") != std::string::npos);
  auto institutions =
      percept::LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE(institutions.ok());
  for (const auto& inst : *institutions) {
    if (inst.id == "cesfam-tal-1") continue;
    INFO(inst.id);
    CHECK(page.find(inst.name) == std::string::npos);
    CHECK(page.find(inst.id) == std::string::npos);
  }
  CHECK(browser.Count("#heatmap rect[data-institution='network']") == 6);  // the benchmark stays
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-institution.png");
}

TEST_CASE(
    "report pages: sign-in cookie attributes, security headers, no open redirect, enumerators kept "
    "out") {
  ServerProcess server;
  auto c = server.Client();
  auto page = c->Get("/reports/chs-perception");
  REQUIRE(page);
  CHECK(page->status == 303);
  CHECK(page->get_header_value("Location") == "/sign-in?next=/reports/chs-perception");

  auto bad = c->Post("/sign-in", "token=pct_nope&next=%2Freports%2Fchs-perception",
                     "application/x-www-form-urlencoded");
  REQUIRE(bad);
  CHECK(bad->status == 401);
  CHECK_FALSE(bad->has_header("Set-Cookie"));
  CHECK(server.Log().find("failed sign-in") != std::string::npos);
  CHECK(server.Log().find("pct_nope") == std::string::npos);

  auto ok =
      c->Post("/sign-in", "token=" + server.analyst_token + "&next=https%3A%2F%2Fevil.example%2F",
              "application/x-www-form-urlencoded");
  REQUIRE(ok);
  CHECK(ok->status == 303);
  CHECK(ok->get_header_value("Location").rfind("/reports/chs-perception", 0) ==
        0);  // not to evil.example
  const std::string cookie = ok->get_header_value("Set-Cookie");
  for (const char* attr : {"HttpOnly", "Secure", "SameSite=Strict", "Max-Age=28800", "Path=/"}) {
    CHECK(cookie.find(attr) != std::string::npos);
  }
  const std::string value = cookie.substr(0, cookie.find(';'));
  auto report = c->Get("/reports/chs-perception", {{"Cookie", value}});
  REQUIRE(report);
  CHECK(report->status == 200);
  CHECK(report->get_header_value("Content-Security-Policy").find("default-src 'none'") !=
        std::string::npos);
  CHECK(report->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(report->get_header_value("X-Frame-Options") == "DENY");
  CHECK(report->get_header_value("Strict-Transport-Security").find("max-age=") == 0);
  CHECK(report->body.find("<script") == std::string::npos);
  CHECK(report->body.find("http://") == std::string::npos);  // nothing fetched from elsewhere
  CHECK(report->body.find("https://") == std::string::npos);
  // The cookie opens report pages only, not the JSON API.
  CHECK(c->Get("/api/v1/scores?survey=chs-perception", {{"Cookie", value}})->status == 401);
  // The bearer header works on report pages too; an enumerator's does not.
  CHECK(c->Get("/reports/chs-perception", Bearer(server.analyst_token))->status == 200);
  CHECK(c->Get("/reports/chs-perception", Bearer(server.enumerator_token))->status == 403);
  CHECK(c->Get("/reports/census", Bearer(server.analyst_token))->status == 404);
  // Revoking the token ends its sessions.
  server.Admin("token revoke consultant");
  CHECK(c->Get("/reports/chs-perception", {{"Cookie", value}})->status == 303);
}
