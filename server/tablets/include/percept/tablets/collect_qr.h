// Setting up a tablet by QR code (docs/openrosa.md, "Set up a tablet in one minute"): ODK Collect
// and KoboCollect scan a code that holds their settings (JSON, zlib-compressed, base64) and are
// then configured for the server at `URL/key/{token}`.
#pragma once

#include <string>

#include "percept/base/status.h"

namespace percept {

// The settings Collect imports: the server URL (with the enumerator's token in its path) and a
// project named after the server, as JSON.
std::string CollectSettings(const std::string& server_url, const std::string& token,
                            const std::string& project_name);

// What the QR code holds: `settings` compressed with zlib, then base64.
std::string CollectQrPayload(const std::string& settings);

// Writes the QR code of `payload` to `path` as a PNG (black on white, 8 pixels a module, with the
// four-module quiet zone scanners need).
Status WriteQrPng(const std::string& payload, const std::string& path);

// The QR code drawn with Unicode half blocks, two modules a line, for a terminal; empty when it
// is wider than `max_columns`.
std::string QrForTerminal(const std::string& payload, int max_columns = 80);

}  // namespace percept
