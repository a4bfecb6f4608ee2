// Setting up a tablet by QR code (server/tablets): what ODK Collect reads when it scans the code,
// decoded from the PNG (and from the terminal drawing) by zbarimg, Debian's barcode reader.
#include "percept/tablets/collect_qr.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server_process.h"

using namespace percept;
using namespace percept::testing;
using nlohmann::json;

namespace {

// What a scanner reads in `image`, then base64-decoded and inflated as Collect does.
json ScannedSettings(const std::string& image) {
  int status = -1;
  const std::string settings =
      Shell("zbarimg -q --raw '" + image +
                "' 2>/dev/null | python3 -c 'import sys, base64, zlib; "
                "print(zlib.decompress(base64.b64decode(sys.stdin.read().strip())).decode())'",
            &status);
  REQUIRE(status == 0);
  return json::parse(settings);
}

}  // namespace

TEST_CASE("collect QR: settings name the server with the token in its path", "[unit]") {
  const json s = json::parse(CollectSettings("https://p.example.cl:8443/", "pct_abc", "Percept"));
  CHECK(s["general"]["server_url"] == "https://p.example.cl:8443/key/pct_abc");
  CHECK(s["project"]["name"] == "Percept");
  CHECK(s["admin"].is_object());
}

TEST_CASE("collect QR: token create --collect-qr writes a code that scans to the server URL",
          "[unit]") {
  ServerProcess server;
  const std::string png = server.dir() + "/tablet.png";
  int status = -1;
  const std::string out = Shell(std::string(PERCEPT_BIN) + " token create --db '" + server.db() +
                                    "' --role enumerator --name tablet-7 --collect-qr '" + png +
                                    "' --server-url https://percept.example.cl:8443 2>/dev/null",
                                &status);
  REQUIRE(status == 0);
  const std::string token = LastLine(out);  // still the token alone on the last line
  REQUIRE(token.rfind("pct_", 0) == 0);
  const json settings = ScannedSettings(png);
  CHECK(settings["general"]["server_url"] == "https://percept.example.cl:8443/key/" + token);
  // The token it holds is a live enumerator token: its form list answers.
  auto c = server.Client();
  auto list = c->Get(("/key/" + token + "/formList").c_str());
  REQUIRE(list);
  CHECK(list->status == 200);
  // Only enumerators set up tablets, and only with an https address.
  Shell(std::string(PERCEPT_BIN) + " token create --db '" + server.db() +
            "' --role analyst --name a2 --collect-qr '" + png +
            "' --server-url https://x.cl 2>/dev/null",
        &status);
  CHECK(status != 0);
  Shell(std::string(PERCEPT_BIN) + " token create --db '" + server.db() +
            "' --role enumerator --name t8 --collect-qr '" + png +
            "' --server-url http://x.cl 2>/dev/null",
        &status);
  CHECK(status != 0);
}

TEST_CASE("collect QR: the terminal drawing scans to the same settings", "[unit]") {
  const std::string payload =
      CollectQrPayload(CollectSettings("https://percept.example.cl", "pct_xyz", "Percept"));
  const std::string art = QrForTerminal(payload);
  REQUIRE_FALSE(art.empty());
  // Each character is two modules stacked: light where the block is drawn.
  std::vector<std::string> lines;
  std::istringstream in(art);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<std::vector<int>> pixels;
  for (const std::string& line : lines) {
    std::vector<int> top, bottom;
    for (size_t i = 0; i < line.size();) {
      std::string ch = line[i] == ' ' ? " " : line.substr(i, 3);
      i += ch.size();
      top.push_back(ch == "█" || ch == "▀" ? 255 : 0);
      bottom.push_back(ch == "█" || ch == "▄" ? 255 : 0);
    }
    pixels.push_back(top);
    pixels.push_back(bottom);
  }
  const std::string pgm = std::string(PERCEPT_BINARY_DIR) + "/terminal-qr.pgm";
  std::ofstream out(pgm);
  const size_t w = pixels[0].size(), h = pixels.size(), scale = 6;
  out << "P2\n" << w * scale << " " << h * scale << "\n255\n";
  for (size_t y = 0; y < h * scale; ++y) {
    for (size_t x = 0; x < w * scale; ++x) out << pixels[y / scale][x / scale] << " ";
    out << "\n";
  }
  out.close();
  CHECK(ScannedSettings(pgm)["general"]["server_url"] == "https://percept.example.cl/key/pct_xyz");
}
