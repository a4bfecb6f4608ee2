// The markup every page of Percept shares: the one style sheet (inline CSS: no external
// resource, so pages work offline and print) and the one escape for text in HTML and XML.
#pragma once

#include <string>

namespace percept {

// The pages' one style sheet.
const char* PageStyle();
// & < > " and ' as entities: safe in HTML and XML text and in quoted attributes.
std::string HtmlEscape(const std::string& s);

}  // namespace percept
