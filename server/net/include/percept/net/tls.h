// TLS for `percept serve`: the development certificate and the server's TLS settings.
#pragma once

#include <string>

#include "percept/base/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace percept {

// Creates a self-signed development certificate (EC P-256, for localhost, 127.0.0.1 and ::1,
// usable as its own CA by clients) at the two paths unless both already exist. `created` tells
// whether it did. The key file is readable by its owner only.
Status EnsureDevCertificate(const std::string& cert_path, const std::string& key_path,
                            bool* created);

// TLS 1.2 or newer, forward-secret AEAD ciphers only, no compression or renegotiation; loads
// the certificate chain and key. False, with `error` set, when they cannot be used.
bool ConfigureServerTls(SSL_CTX* ctx, const std::string& cert_path, const std::string& key_path,
                        std::string* error);

}  // namespace percept
