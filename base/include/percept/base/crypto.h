// The few cryptographic primitives Percept needs, over OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace percept {

// SHA-256 of `data`, 32 raw bytes.
std::string Sha256(std::string_view data);
// MD5 of `data`, 16 raw bytes: only where a protocol names it (the OpenRosa form hash), never
// for anything secret.
std::string Md5(std::string_view data);
// `n` bytes from the operating system's CSPRNG; aborts if none can be had.
std::string RandomBytes(size_t n);
// Constant-time equality of two byte strings of equal length (false on different lengths).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
std::string Base64Url(std::string_view bytes);
// Standard base64 (RFC 4648 §4), with padding.
std::string Base64(std::string_view bytes);
// HMAC-SHA256 of `data` under `key`, 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Hex(std::string_view bytes);

}  // namespace percept
