#include "openrosa.h"

#include <cctype>
#include <ctime>

#include "percept/net/http_status.h"
#include "percept/reports/report_page.h"  // HtmlEscape: valid XML text too

namespace percept {

namespace {}  // namespace

void SetOpenRosaHeaders(httplib::Response& res) {
  res.set_header("X-OpenRosa-Version", "1.0");
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  res.set_header("Date", date);
}

std::string OpenRosaXml(int http_status, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\"><message nature=\"" +
         std::string(http_status < 300 ? "submit_success" : "error") + "\">" + HtmlEscape(message) +
         "</message></OpenRosaResponse>\n";
}

void SendOpenRosa(httplib::Response& res, int http_status, const std::string& message) {
  SetOpenRosaHeaders(res);
  res.status = http_status;
  res.set_content(OpenRosaXml(http_status, message), "text/xml; charset=utf-8");
}

int OpenRosaError(const Status& status, std::string* message) {
  *message = status.message();
  for (const Detail& d : status.details()) *message += "\n" + d.path + ": " + d.message;
  const int http = HttpStatusFor(status.code());
  // OpenRosa clients read a refused submission as 400 (Collect shows the message); the
  // statuses a client acts on keep their meaning: 401 token, 409 conflict, 413, 429, 503 retry.
  const bool keep = http == 401 || http == 403 || http == 404 || http == 409 || http == 413 ||
                    http == 429 || http >= 500;
  return keep ? http : 400;
}

void SendOpenRosaError(httplib::Response& res, const Status& status) {
  std::string message;
  const int http = OpenRosaError(status, &message);
  if (http == 503 && !res.has_header("Retry-After")) res.set_header("Retry-After", "2");
  SendOpenRosa(res, http, message);
}

bool IsOpenRosaPath(std::string_view path) {
  // As LoggedPath reads it: leading slashes and the letter case of "key" do not matter.
  while (path.size() > 1 && path[0] == '/' && path[1] == '/') path.remove_prefix(1);
  if (path.size() < 5) return false;
  std::string head(path.substr(0, 5));
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head == "/key/";
}

}  // namespace percept
