// libFuzzer target: the connection layer's request reader (server/net/request_reader.h), the first
// code that sees a client's bytes. Input bytes arrive in pieces whose sizes the input chooses;
// every request read whole must read again, from its normalized form, as the same request.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "percept/net/request_reader.h"

using percept::RequestReader;
using Progress = RequestReader::Progress;

namespace {

void CheckNormalized(const std::string& normalized, const percept::RequestHead& head) {
  RequestReader again(64 * 1024, 1 << 20);  // escaping may lengthen the head, not a line
  Progress p = again.Feed(normalized.data(), normalized.size());
  if (p == Progress::kHead) p = again.AllowBody(1 << 20);
  if (p != Progress::kComplete) std::abort();
  if (again.head().method != head.method || again.head().target != head.target) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t piece = 1 + data[0] % 64;  // the sizes the socket delivers
  ++data, --size;
  RequestReader reader(16 * 1024, 1 << 20);
  for (size_t at = 0;;) {
    const size_t n = std::min(piece, size - at);
    Progress p = reader.Feed(reinterpret_cast<const char*>(data) + at, n);
    at += n;
    if (p == Progress::kHead) p = reader.AllowBody(1 << 20);
    if (p == Progress::kFailed) break;
    if (p == Progress::kComplete) {
      const percept::RequestHead head = reader.head();
      CheckNormalized(reader.Take(), head);
      continue;
    }
    if (n == 0) break;
  }
  return 0;
}
