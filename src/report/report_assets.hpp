#pragma once
// The report's inlined assets, generated at configure time by cmake/EmbedText.cmake from
// report/node_modules/uplot (MIT licence, see report/README.md) and src/report/report_page.js.

#include <string>

namespace hashpivot::report::assets {

[[nodiscard]] std::string uplot_js();
[[nodiscard]] std::string uplot_css();
[[nodiscard]] std::string report_page_js();

}  // namespace hashpivot::report::assets
