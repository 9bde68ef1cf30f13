#pragma once
// The dashboard's page (docs/serve.md): one HTML text with its script (web/src, Preact, htm and
// uPlot, bundled by esbuild) and styles inlined, generated at build time by web/build.mjs, so the
// server loads nothing from disk or the network to serve it.

#include <string>

namespace hashpivot::server::assets {

[[nodiscard]] std::string dashboard_html();

}  // namespace hashpivot::server::assets
