#include "percept/net/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace percept {

namespace {

std::string OpenSslError() {
  char buf[256];
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

}  // namespace

Status EnsureDevCertificate(const std::string& cert_path, const std::string& key_path,
                            bool* created) {
  *created = false;
  if (FileExists(cert_path) && FileExists(key_path)) return Status::Ok();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return Status::Internal("cannot make a key: " + OpenSslError());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 825);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Percept development"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // CA:TRUE lets a client trust this very certificate as its CA (curl --cacert, tests).
  if (!AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !AddExtension(cert.get(), NID_subject_key_identifier, "hash") ||
      !AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1")) {
    return Status::Internal("cannot build the certificate: " + OpenSslError());
  }
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) {
    return Status::Internal("cannot sign the certificate: " + OpenSslError());
  }
  mode_t old = umask(077);
  FILE* kf = std::fopen(key_path.c_str(), "w");
  umask(old);
  if (!kf) return Status::Internal("cannot write " + key_path);
  bool ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  ok = std::fclose(kf) == 0 && ok;
  FILE* cf = std::fopen(cert_path.c_str(), "w");
  if (!cf) return Status::Internal("cannot write " + cert_path);
  ok = PEM_write_X509(cf, cert.get()) == 1 && ok;
  ok = std::fclose(cf) == 0 && ok;
  if (!ok) return Status::Internal("cannot write the development certificate");
  *created = true;
  return Status::Ok();
}

bool ConfigureServerTls(SSL_CTX* ctx, const std::string& cert_path, const std::string& key_path,
                        std::string* error) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle keep-alive connections (up to --max-connections of them) give their buffers back.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // TLS 1.2: ECDHE with AEAD only. TLS 1.3's suites are all modern; OpenSSL's default stands.
  SSL_CTX_set_cipher_list(ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_path.c_str()) != 1) {
    *error = "cannot use certificate " + cert_path + ": " + OpenSslError();
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    *error = "cannot use key " + key_path + ": " + OpenSslError();
    return false;
  }
  return true;
}

}  // namespace percept
