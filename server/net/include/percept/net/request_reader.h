// Reads one HTTP/1.1 request from raw bytes, before cpp-httplib sees any of it (docs/security.md,
// "Requests"). The connection layer feeds it what the socket gives, without blocking; it says
// when the head is complete (so the caller can be admitted before a byte of the body is
// kept), then when the body is. It is strict where leniency lets one request be read as two:
// every line must be well formed, a body has exactly one framing (one Content-Length, or
// `Transfer-Encoding: chunked`, never both), and one size limit holds however it is framed.
//
// What cpp-httplib then parses is the request normalized: the same request line and headers,
// header values escaped so that its percent-decoding gives them back as sent, chunked bodies
// decoded and framed by Content-Length, `Expect` answered by us. No httplib types here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "percept/base/status.h"

namespace percept {

// cpp-httplib refuses a line over 8 KiB with a bare 400: we refuse it first, with 431.
inline constexpr size_t kMaxLineBytes = 8 * 1024 - 2;

struct RequestHead {
  std::string method, target, version;
  std::vector<std::pair<std::string, std::string>> fields;  // as sent, values trimmed
  bool chunked = false;
  uint64_t content_length = 0;  // when not chunked
  bool expect_continue = false;
  bool framed = false;  // sent Content-Length or Transfer-Encoding

  // The target without its query.
  std::string_view Path() const { return std::string_view(target).substr(0, target.find('?')); }
  // The value of field `name` (any case), or nullptr.
  const std::string* Find(std::string_view name) const;
  bool HasBody() const { return chunked || content_length > 0; }
};

class RequestReader {
 public:
  enum class Progress {
    kNeedMore,  // feed more bytes
    kHead,      // the head is complete and the request has a body: admit it, then feed on
    kComplete,  // the whole request is here: Take() it
    kFailed,    // failure() says what to answer; the connection must then be closed
  };

  // `max_head` bounds the request line and headers together, `max_body` the body however it
  // is framed.
  RequestReader(size_t max_head, size_t max_body)
      : max_head_(max_head), max_body_(max_body), initial_max_body_(max_body) {}

  // Consumes `n` bytes. Bytes past the end of this request are kept for the next one.
  Progress Feed(const char* data, size_t n);
  // After kHead: the body may now be read (otherwise Feed keeps answering kHead).
  Progress AllowBody(size_t max_body);

  Progress progress() const { return progress_; }
  bool started() const { return started_; }
  const RequestHead& head() const { return head_; }
  const Status& failure() const { return failure_; }
  // Body bytes received so far (decoded).
  size_t body_bytes() const { return body_.size(); }

  // After kComplete: the normalized request for cpp-httplib. The reader then starts on the
  // next request with the bytes it already holds; call Feed(nullptr, 0) to look at them.
  std::string Take();

 private:
  Progress Fail(Status s);
  Progress ParseHead(std::string_view head);
  Progress ReadBody();
  Progress ReadChunks();

  size_t max_head_, max_body_, initial_max_body_;
  Progress progress_ = Progress::kNeedMore;
  bool started_ = false;  // a byte of this request has arrived
  bool body_allowed_ = false;
  std::string in_;      // received, not yet consumed
  size_t scanned_ = 0;  // of in_, looked at for the end of the head
  RequestHead head_;
  std::string body_;  // decoded
  enum class Chunk { kSize, kData, kDataEnd, kTrailers } chunk_ = Chunk::kSize;
  uint64_t chunk_left_ = 0;
  size_t trailer_bytes_ = 0;
  Status failure_;
};

}  // namespace percept
