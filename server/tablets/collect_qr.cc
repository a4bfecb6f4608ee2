#include "percept/tablets/collect_qr.h"

#include <png.h>
#include <qrencode.h>
#include <zlib.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "percept/base/crypto.h"

namespace percept {

namespace {

constexpr int kQuietZone = 4;  // modules of white around the code (ISO/IEC 18004)
constexpr int kPixelsPerModule = 8;

using QrCode = std::unique_ptr<QRcode, decltype(&QRcode_free)>;

Result<QrCode> Encode(const std::string& payload) {
  QrCode code(QRcode_encodeString8bit(payload.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) return Status::InvalidParameter("the settings do not fit in a QR code");
  return code;
}

bool Dark(const QRcode& code, int x, int y) {
  if (x < 0 || y < 0 || x >= code.width || y >= code.width) return false;
  return code.data[y * code.width + x] & 1;
}

}  // namespace

std::string CollectSettings(const std::string& server_url, const std::string& token,
                            const std::string& project_name) {
  std::string url = server_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  const nlohmann::json settings = {
      {"general", {{"server_url", url + "/key/" + token}, {"form_update_mode", "match_exactly"}}},
      {"admin", nlohmann::json::object()},
      {"project", {{"name", project_name}, {"icon", "P"}, {"color", "#1a73e8"}}}};
  return settings.dump();
}

std::string CollectQrPayload(const std::string& settings) {
  uLongf size = compressBound(settings.size());
  std::string out(size, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &size,
            reinterpret_cast<const Bytef*>(settings.data()), settings.size(), Z_BEST_COMPRESSION);
  out.resize(size);
  return Base64(out);
}

Status WriteQrPng(const std::string& payload, const std::string& path) {
  auto code = Encode(payload);
  if (!code.ok()) return code.status();
  const QRcode& qr = **code;
  const int side = (qr.width + 2 * kQuietZone) * kPixelsPerModule;
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return Status::InvalidParameter("cannot write " + path);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return Status::Internal("cannot write the PNG " + path);
  }
  png_init_io(png, file.get());
  png_set_IHDR(png, info, side, side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  std::vector<png_byte> row(side);
  for (int y = 0; y < side; ++y) {
    const int my = y / kPixelsPerModule - kQuietZone;
    for (int x = 0; x < side; ++x) {
      row[x] = Dark(qr, x / kPixelsPerModule - kQuietZone, my) ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return Status::Ok();
}

std::string QrForTerminal(const std::string& payload, int max_columns) {
  auto code = Encode(payload);
  if (!code.ok()) return "";
  const QRcode& qr = **code;
  const int side = qr.width + 2 * kQuietZone;
  if (side > max_columns) return "";
  // Light on dark terminals and dark on light alike: draw the light modules, as scanners read
  // the code from its contrast.
  std::string out;
  for (int y = -kQuietZone; y < qr.width + kQuietZone; y += 2) {
    for (int x = -kQuietZone; x < qr.width + kQuietZone; ++x) {
      const bool top = !Dark(qr, x, y), bottom = !Dark(qr, x, y + 1);
      out += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    out += "\n";
  }
  return out;
}

}  // namespace percept
