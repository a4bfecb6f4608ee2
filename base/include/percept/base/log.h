// The server's own messages to stderr (docs/operations.md, "Logs"): one line per event, written
// whole in one call so that two threads' lines never mix, starting "percept: " (or the name
// SetLogProgram gave), then "error: "
// or "warning: " for those levels. The per-request access line is not one of these (it has its
// own format and its own switch, `serve --no-log`). Never a token or an answer in a message.
#pragma once

namespace percept {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2 };

// Messages less severe than `least` are dropped; kInfo (everything) until set. Any thread.
void SetLogLevel(LogLevel least);
// The name each line starts with ("percept" until set); `name` must outlive every Log call.
// Call before any thread logs.
void SetLogProgram(const char* name);
// Parses "error", "warning" or "info"; false for anything else.
bool ParseLogLevel(const char* text, LogLevel* level);

// One message, printf-style.
void Log(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace percept
