#include "openrosa.h"

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

void SendOpenRosa(httplib::Response& res, int http_status, const std::string& message) {
  SetOpenRosaHeaders(res);
  res.status = http_status;
  res.set_content(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\"><message nature=\"" +
          std::string(http_status < 300 ? "submit_success" : "error") + "\">" +
          HtmlEscape(message) + "</message></OpenRosaResponse>\n",
      "text/xml; charset=utf-8");
}

void SendOpenRosaError(httplib::Response& res, const Status& status) {
  std::string message = status.message();
  for (const Detail& d : status.details()) message += "\n" + d.path + ": " + d.message;
  const int http = HttpStatusFor(status.code());
  // OpenRosa clients read a refused submission as 400 (Collect shows the message); the
  // statuses a client acts on keep their meaning: 401 token, 409 conflict, 413, 429, 503 retry.
  const bool keep = http == 401 || http == 403 || http == 404 || http == 409 || http == 413 ||
                    http == 429 || http >= 500;
  if (http == 503 && !res.has_header("Retry-After")) res.set_header("Retry-After", "2");
  SendOpenRosa(res, keep ? http : 400, message);
}

}  // namespace percept
