// A headless Chromium (Debian's) driven over WebDriver by chromedriver, for the tests that run
// pages in a real browser (the report, the browser tablet).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "server_process.h"

namespace percept::testing {

using nlohmann::json;

inline std::string DecodeBase64(const std::string& in) {
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
  // The window's size in CSS pixels (a tablet is 768 wide).
  void Resize(int width, int height) {
    Call("POST", S("/window/rect"), {{"width", width}, {"height", height}});
  }
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
  // Runs `script` in the page; it ends by calling its last argument with the result.
  json ExecuteAsync(const std::string& script, const json& args = json::array()) {
    return Call("POST", S("/execute/async"), {{"script", script}, {"args", args}})["value"];
  }
  json Execute(const std::string& script, const json& args = json::array()) {
    return Call("POST", S("/execute/sync"), {{"script", script}, {"args", args}})["value"];
  }
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

}  // namespace percept::testing
