#include "report_command.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_support.hpp"
#include "hashpivot/core/atomic_file.hpp"
#include "runs_command.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/report/html_report.hpp"

namespace hashpivot::cli {
namespace {

struct ReportOptions {
  std::int64_t id = 0;
  std::string html;
  std::string db;
  bool json = false;
};

void run_report(const ReportOptions& o) {
  if (o.html.empty() && !o.json)
    throw InputError("command line", 0, "--html", "give --html FILE to write the report, or --json to print the run");
  if (!o.html.empty()) check_output_path(o.html, "--html");  // before the store is read
  const std::string db = o.db.empty() ? io::default_result_store() : o.db;
  const io::RunRecord record = io::open_result_store(db, io::StoreAccess::kExisting)->load_or_throw(o.id);
  if (!o.html.empty()) report::write_html_report(record, o.html, "--html");
  if (o.json) {
    nlohmann::json out = show_json(record);
    out["html"] = o.html.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.html);
    std::cout << out.dump(2) << '\n';
    return;
  }
  fmt::print("{}: run {} ({}, {} strategies)\n", o.html, record.run.id, record.run.scenario_name,
             record.strategies.size());
}

}  // namespace

constexpr const char* kReportHelp =
    R"(Write the self-contained HTML report of a recorded run: the strategy comparison, when firms default,
fan charts of equity, cash, BTC held, debt, BTC price and hashprice, cost per BTC against the price,
and the scenario's inputs. Open it in any browser; it loads nothing from the network. With --json, print
the run as `hashpivot runs show --json` does, with the report's path as "html" (null without --html).)";

void add_report_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, options] =
      add_command<ReportOptions>(app, exit_code, "report", kReportHelp, [](ReportOptions& o) { run_report(o); });
  cmd->add_option("ID", options->id, "Run id (hashpivot runs list)")
      ->required()
      ->transform(count_in_range("", 1, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--html", options->html, "The HTML file to write (needed unless --json)");
  cmd->add_option("--db", options->db, "Result store (default: $HASHPIVOT_DB, else hashpivot.sqlite here)");
  cmd->add_flag("--json", options->json, "Print one JSON object: the run as `runs show --json`, and html (the report's path)");
}

}  // namespace hashpivot::cli
