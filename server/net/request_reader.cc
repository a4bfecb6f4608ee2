#include "percept/net/request_reader.h"

#include <algorithm>
#include <cctype>

namespace percept {

namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 tchar: what a method or a field name is made of.
bool IsTokenChar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// A field value may hold visible characters, spaces, tabs and bytes of UTF-8; no other control.
bool IsFieldValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7F;
  });
}

// A request target: visible ASCII only (percent-encoding carries anything else).
bool IsTarget(std::string_view s) {
  return !s.empty() && (s[0] == '/' || s == "*") && std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7F;
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off the next line (without its CRLF or LF); false at a bare CR inside it.
bool NextLine(std::string_view& rest, std::string_view& line) {
  const size_t lf = rest.find('\n');
  line = rest.substr(0, lf);
  rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.find('\r') == std::string_view::npos;
}

// cpp-httplib percent-decodes header values; escaping '%' makes it give them back as sent.
std::string EscapePercent(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '%')
      out += "%25";
    else
      out += c;
  }
  return out;
}

}  // namespace

const std::string* RequestHead::Find(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (EqualsNoCase(n, name)) return &v;
  }
  return nullptr;
}

RequestReader::Progress RequestReader::Fail(Status s) {
  failure_ = std::move(s);
  return progress_ = Progress::kFailed;
}

RequestReader::Progress RequestReader::Feed(const char* data, size_t n) {
  if (progress_ == Progress::kFailed || progress_ == Progress::kComplete) return progress_;
  if (n > 0) {
    in_.append(data, n);
    started_ = true;
  }
  if (progress_ == Progress::kNeedMore && !body_allowed_ && head_.method.empty()) {
    // Looking for the blank line that ends the head; tolerate empty lines before a request.
    while (!in_.empty() && scanned_ == 0 && (in_[0] == '\r' || in_[0] == '\n')) in_.erase(0, 1);
    if (in_.empty()) {
      started_ = false;
      return progress_;
    }
    size_t end = std::string::npos, skip = 0;
    for (size_t i = scanned_ > 3 ? scanned_ - 3 : 0; i < in_.size(); ++i) {
      if (in_[i] != '\n') continue;
      if (i + 1 < in_.size() && in_[i + 1] == '\n') {
        end = i + 1, skip = 1;
        break;
      }
      if (i + 2 < in_.size() && in_[i + 1] == '\r' && in_[i + 2] == '\n') {
        end = i + 1, skip = 2;
        break;
      }
    }
    if (end == std::string::npos) {
      scanned_ = in_.size();
      if (in_.size() > max_head_) {
        return Fail(Status::PreambleTooLarge("the request line and headers are over " +
                                            std::to_string(max_head_) + " bytes"));
      }
      // A line too long for cpp-httplib need not wait for the rest of the head.
      const size_t last_lf = in_.rfind('\n');
      const size_t line = last_lf == std::string::npos ? in_.size() : in_.size() - last_lf - 1;
      if (line > kMaxLineBytes) {
        return Fail(Status::PreambleTooLarge("a request line or header is over " +
                                            std::to_string(kMaxLineBytes) + " bytes"));
      }
      return progress_;
    }
    if (end > max_head_) {
      return Fail(Status::PreambleTooLarge("the request line and headers are over " +
                                          std::to_string(max_head_) + " bytes"));
    }
    const std::string head = in_.substr(0, end);
    in_.erase(0, end + skip);
    scanned_ = 0;
    if (ParseHead(head) == Progress::kFailed) return progress_;
    if (!head_.HasBody()) return progress_ = Progress::kComplete;
    progress_ = Progress::kHead;
  }
  if (!body_allowed_) return progress_;
  return ReadBody();
}

RequestReader::Progress RequestReader::AllowBody(size_t max_body) {
  body_allowed_ = true;
  max_body_ = std::min(max_body_, max_body);
  if (!head_.chunked && head_.content_length > max_body_) {
    return Fail(Status::InputTooLarge("the body is over " + std::to_string(max_body_) +
                                        " bytes, the most this endpoint accepts"));
  }
  progress_ = Progress::kNeedMore;
  return ReadBody();
}

RequestReader::Progress RequestReader::ParseHead(std::string_view head) {
  std::string_view rest = head, line;
  if (!NextLine(rest, line)) return Fail(Status::InvalidParameter("a bare CR in the request line"));
  if (line.size() > kMaxLineBytes) {
    return Fail(Status::PreambleTooLarge("the request line is over " +
                                        std::to_string(kMaxLineBytes) + " bytes"));
  }
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(Status::InvalidParameter("the request line is not 'METHOD TARGET HTTP/1.1'"));
  }
  head_.method = std::string(line.substr(0, sp1));
  head_.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  head_.version = std::string(line.substr(sp2 + 1));
  if (!IsToken(head_.method) || head_.method.size() > 16 || !IsTarget(head_.target) ||
      (head_.version != "HTTP/1.1" && head_.version != "HTTP/1.0")) {
    return Fail(Status::InvalidParameter("the request line is not 'METHOD TARGET HTTP/1.1'"));
  }
  bool has_length = false;
  while (!rest.empty()) {
    if (!NextLine(rest, line)) return Fail(Status::InvalidParameter("a bare CR in a header"));
    if (line.empty()) break;
    if (line.size() > kMaxLineBytes) {
      return Fail(Status::PreambleTooLarge("a header line is over " + std::to_string(kMaxLineBytes) +
                                          " bytes"));
    }
    const size_t colon = line.find(':');
    // A line starting with white space would fold into the previous one (obsolete, and a
    // classic way to make two parsers disagree): refused, like a name with spaces in it.
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Fail(Status::InvalidParameter("a header line is not 'Name: value'"));
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    // Escaped for cpp-httplib (Take), the line must still fit its line buffer.
    if (line.size() + 2 * static_cast<size_t>(std::count(value.begin(), value.end(), '%')) >
        kMaxLineBytes) {
      return Fail(Status::PreambleTooLarge("a header line is over " + std::to_string(kMaxLineBytes) +
                                          " bytes"));
    }
    if (!IsFieldValue(value)) {
      return Fail(
          Status::InvalidParameter("header '" + std::string(name) + "' holds a control character"));
    }
    if (EqualsNoCase(name, "Content-Length")) {
      if (has_length) return Fail(Status::InvalidParameter("two Content-Length headers"));
      has_length = true;
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        return Fail(Status::InvalidParameter("Content-Length is not a number"));
      }
      head_.content_length = std::stoull(std::string(value));
      head_.framed = true;
    } else if (EqualsNoCase(name, "Transfer-Encoding")) {
      if (head_.chunked || !EqualsNoCase(value, "chunked")) {
        return Fail(Status::InvalidParameter("the only Transfer-Encoding accepted is 'chunked'"));
      }
      head_.chunked = true;
      head_.framed = true;
    } else if (EqualsNoCase(name, "Expect")) {
      if (!EqualsNoCase(value, "100-continue")) {
        return Fail(Status::InvalidParameter("the only Expect accepted is '100-continue'"));
      }
      head_.expect_continue = true;
    }
    head_.fields.emplace_back(std::string(name), std::string(value));
  }
  if (has_length && head_.chunked) {
    return Fail(Status::InvalidParameter("both Content-Length and Transfer-Encoding"));
  }
  return progress_;
}

RequestReader::Progress RequestReader::ReadBody() {
  if (head_.chunked) return ReadChunks();
  const size_t want = static_cast<size_t>(head_.content_length) - body_.size();
  const size_t take = std::min(want, in_.size());
  body_.append(in_, 0, take);
  in_.erase(0, take);
  return progress_ =
             body_.size() == head_.content_length ? Progress::kComplete : Progress::kNeedMore;
}

RequestReader::Progress RequestReader::ReadChunks() {
  for (;;) {
    switch (chunk_) {
      case Chunk::kSize: {
        const size_t lf = in_.find('\n');
        if (lf == std::string::npos) {
          if (in_.size() > 1024)
            return Fail(Status::InvalidParameter("a chunk size line is too long"));
          return progress_ = Progress::kNeedMore;
        }
        std::string_view line(in_.data(), lf);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        line = line.substr(0, line.find(';'));  // chunk extensions are ignored
        line = Trim(line);
        if (line.empty() || line.size() > 15 || !std::all_of(line.begin(), line.end(), [](char c) {
              return std::isxdigit(static_cast<unsigned char>(c));
            })) {
          return Fail(Status::InvalidParameter("a chunk size is not a hexadecimal number"));
        }
        chunk_left_ = std::stoull(std::string(line), nullptr, 16);
        in_.erase(0, lf + 1);
        if (chunk_left_ > max_body_ - body_.size()) {
          return Fail(Status::InputTooLarge("the body is over " + std::to_string(max_body_) +
                                              " bytes, the most this endpoint accepts"));
        }
        chunk_ = chunk_left_ == 0 ? Chunk::kTrailers : Chunk::kData;
        break;
      }
      case Chunk::kData: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(chunk_left_, in_.size()));
        body_.append(in_, 0, take);
        in_.erase(0, take);
        chunk_left_ -= take;
        if (chunk_left_ > 0) return progress_ = Progress::kNeedMore;
        chunk_ = Chunk::kDataEnd;
        break;
      }
      case Chunk::kDataEnd: {
        if (in_.size() < 2 && !(in_.size() == 1 && in_[0] == '\n')) {
          return progress_ = Progress::kNeedMore;
        }
        if (in_[0] == '\n') {
          in_.erase(0, 1);
        } else if (in_.compare(0, 2, "\r\n") == 0) {
          in_.erase(0, 2);
        } else {
          return Fail(Status::InvalidParameter("a chunk is longer than its size says"));
        }
        chunk_ = Chunk::kSize;
        break;
      }
      case Chunk::kTrailers: {
        // Trailer fields are read and dropped; the blank line ends the body.
        const size_t lf = in_.find('\n');
        if (lf == std::string::npos) {
          if (trailer_bytes_ + in_.size() > max_head_) {
            return Fail(Status::PreambleTooLarge("the trailers are too large"));
          }
          return progress_ = Progress::kNeedMore;
        }
        const bool blank = lf == 0 || (lf == 1 && in_[0] == '\r');
        trailer_bytes_ += lf + 1;
        in_.erase(0, lf + 1);
        if (trailer_bytes_ > max_head_)
          return Fail(Status::PreambleTooLarge("the trailers are too large"));
        if (blank) return progress_ = Progress::kComplete;
        break;
      }
    }
  }
}

std::string RequestReader::Take() {
  std::string out;
  out.reserve(head_.target.size() + 256 + body_.size());
  out += head_.method + ' ' + head_.target + ' ' + head_.version + "\r\n";
  for (const auto& [name, value] : head_.fields) {
    if (EqualsNoCase(name, "Content-Length") || EqualsNoCase(name, "Transfer-Encoding") ||
        EqualsNoCase(name, "Expect")) {
      continue;
    }
    out += name + ": " + EscapePercent(value) + "\r\n";
  }
  // A request without framing has no body (RFC 9112 §6.3); cpp-httplib wants that said.
  if (head_.HasBody() || head_.framed || head_.method == "POST" || head_.method == "PUT" ||
      head_.method == "PATCH") {
    out += "Content-Length: " + std::to_string(body_.size()) + "\r\n";
  }
  out += "\r\n";
  out += body_;
  // Ready for the next request, with what is already here.
  std::string rest = std::move(in_);
  const size_t max_head = max_head_, max_body = initial_max_body_;
  *this = RequestReader(max_head, max_body);
  in_ = std::move(rest);
  started_ = !in_.empty();
  return out;
}

}  // namespace percept
