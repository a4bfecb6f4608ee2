// What the report pages print for people (server/reports/report_text.h): q-values a reader can
// take in, and long institution names that stay told apart.
#include "report_text.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace percept;

TEST_CASE("report text: q as people read it, the full value left to the exports", "[unit]") {
  CHECK(FmtQ(7e-80) == "< 0.001");
  CHECK(FmtQ(0.000999) == "< 0.001");
  CHECK(FmtQ(0.001) == "0.001");
  CHECK(FmtQ(0.04321) == "0.043");
  CHECK(FmtQ(1) == "1.000");
  CHECK(FmtQ(std::nan("")) == "—");
}

TEST_CASE("report text: a long name keeps its beginning and its end", "[unit]") {
  const std::string tal = "Oficina Municipal de Intermediación Laboral (OMIL) de Talcahuano";
  const std::string tem = "Oficina Municipal de Intermediación Laboral (OMIL) de Temuco";
  const std::string a = ShortName(tal, 44), b = ShortName(tem, 44);
  CHECK(a != b);  // cut at the end, the four OMILs were the same row
  CHECK(a.find("Talcahuano") != std::string::npos);
  CHECK(b.find("Temuco") != std::string::npos);
  CHECK(a.rfind("Oficina Municipal", 0) == 0);
  CHECK(a.find("…") != std::string::npos);
  // At most 44 characters (code points), never a broken one.
  size_t chars = 0;
  for (unsigned char c : a) chars += (c & 0xC0) != 0x80;
  CHECK(chars <= 44);
  CHECK(ShortName("CESFAM Los Cerros", 44) == "CESFAM Los Cerros");  // short names stay whole
  const std::string accents = "Dirección de Desarrollo Comunitario (DIDECO) de Puente Alto";
  const std::string cut = ShortName(accents, 30);
  CHECK(cut.find("Puente Alto") != std::string::npos);
  for (size_t i = 0; i < cut.size(); ++i) {  // valid UTF-8: no lone continuation byte first
    if ((static_cast<unsigned char>(cut[i]) & 0xC0) == 0x80) CHECK(i > 0);
  }
}

TEST_CASE("report text: the colour scale spends its range where indices are", "[unit]") {
  CHECK(Color(30) == "hsl(0,65%,62%)");  // red at 40 and below
  CHECK(Color(40) == "hsl(0,65%,62%)");
  CHECK(Color(65) == "hsl(60,65%,62%)");
  CHECK(Color(90) == "hsl(120,65%,62%)");  // green at 90 and above
  CHECK(Color(100) == "hsl(120,65%,62%)");
  // 55 and 70, the range a whole network spans, are 36 degrees of hue apart (18 before).
  CHECK(Color(55) == "hsl(36,65%,62%)");
  CHECK(Color(70) == "hsl(72,65%,62%)");
}
