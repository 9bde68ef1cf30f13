#include "report_command.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli_support.hpp"
#include "hashpivot/core/atomic_file.hpp"
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

constexpr const char* kReportHelp =
    R"(Write the self-contained HTML report of a recorded run: the strategy comparison, when firms default,
fan charts of equity, cash, BTC held, debt, BTC price and hashprice, cost per BTC against the price,
and the scenario's inputs. Open it in any browser; it loads nothing from the network.)";

void add_report_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, options] = add_command<ReportOptions>(app, exit_code, "report", kReportHelp, [](ReportOptions& o) {
    check_output_path(o.html, "--html");
    const std::string db = o.db.empty() ? io::default_result_store() : o.db;
    const io::RunRecord record = io::open_result_store(db, io::StoreAccess::kExisting)->load_or_throw(o.id);
    report::write_html_report(record, o.html, "--html");
    fmt::print("{}: run {} ({}, {} strategies)\n", o.html, record.run.id, record.run.scenario_name,
               record.strategies.size());
  });
  cmd->add_option("ID", options->id, "Run id (hashpivot runs list)")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--html", options->html, "The HTML file to write")->required();
  cmd->add_option("--db", options->db, "Result store (default: $HASHPIVOT_DB, else hashpivot.sqlite here)");
}

}  // namespace hashpivot::cli
