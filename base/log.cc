#include "percept/base/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

namespace percept {

namespace {

std::atomic<int> g_least{static_cast<int>(LogLevel::kInfo)};
std::atomic<const char*> g_program{"percept"};

}  // namespace

void SetLogLevel(LogLevel least) { g_least.store(static_cast<int>(least)); }

void SetLogProgram(const char* name) { g_program.store(name); }

bool ParseLogLevel(const char* text, LogLevel* level) {
  if (std::strcmp(text, "error") == 0) return *level = LogLevel::kError, true;
  if (std::strcmp(text, "warning") == 0) return *level = LogLevel::kWarning, true;
  if (std::strcmp(text, "info") == 0) return *level = LogLevel::kInfo, true;
  return false;
}

void Log(LogLevel level, const char* format, ...) {
  if (static_cast<int>(level) > g_least.load(std::memory_order_relaxed)) return;
  std::string line = g_program.load(std::memory_order_relaxed);
  line += level == LogLevel::kError     ? ": error: "
          : level == LogLevel::kWarning ? ": warning: "
                                        : ": ";
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  if (n > 0) {
    const size_t head = line.size();
    line.resize(head + static_cast<size_t>(n) + 1);
    std::vsnprintf(line.data() + head, static_cast<size_t>(n) + 1, format, again);
    line.resize(head + static_cast<size_t>(n));
  }
  va_end(again);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: a whole line
}

}  // namespace percept
