#include "report_command.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli_support.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/report/html_report.hpp"

namespace hashpivot::cli {
namespace {

struct ReportOptions {
  std::int64_t id = 0;
  std::string html;
  std::string db;
};

}  // namespace

void add_report_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  static_cast<void>(group);
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write the self-contained HTML report of a recorded run: the strategy comparison, when firms default,\n"
      "fan charts of equity, cash, BTC held, debt, BTC price and hashprice, cost per BTC against the price,\n"
      "and the scenario's inputs. Open it in any browser; it loads nothing from the network.");
  cmd->add_option("ID", options->id, "Run id (hashpivot runs list)")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--html", options->html, "The HTML file to write")->required();
  cmd->add_option("--db", options->db, "Result store (default: $HASHPIVOT_DB, else hashpivot.sqlite here)");
  cmd->callback([options, &exit_code] {
    const std::string db = options->db.empty() ? io::default_result_store() : options->db;
    const io::RunRecord record = io::open_result_store(db, io::StoreAccess::kExisting)->load_or_throw(options->id);
    report::write_html_report(record, options->html, "--html");
    fmt::print("{}: run {} ({}, {} strategies)\n", options->html, record.run.id, record.run.scenario_name,
               record.strategies.size());
    exit_code = kExitOk;
  });
}

}  // namespace hashpivot::cli
