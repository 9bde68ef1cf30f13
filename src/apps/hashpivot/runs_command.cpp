#include "runs_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/core/atomic_file.hpp"
#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/report/run_json.hpp"
#include "hashpivot/report/strategy_table.hpp"
#include "hashpivot/sim/metrics.hpp"

namespace hashpivot::cli {
namespace {

using nlohmann::json;

struct RunsOptions {
  std::string db;
  std::int64_t id = 0;
  std::string csv_dir;
  bool json = false;
};

std::unique_ptr<io::ResultStore> open_store(const RunsOptions& o) {
  return io::open_result_store(o.db, io::StoreAccess::kExisting);
}

// --- Formatting. ---

using report::fixed;
using report::percent;

/// Seconds since the epoch of an ISO 8601 UTC time as the store writes it; NaN if it is not one.
double utc_seconds(const std::string& text) {
  // 2026-02-01T09:30:00.125Z
  if (text.size() < 20 || text[10] != 'T') return std::numeric_limits<double>::quiet_NaN();
  const std::optional<DayNumber> day = parse_date(text.substr(0, 10));
  int hh = 0, mm = 0, ss = 0, ms = 0;
  auto number = [&](std::size_t at, std::size_t n, int& out) {
    const char* begin = text.data() + at;
    const auto [end, error] = std::from_chars(begin, begin + n, out);
    return error == std::errc{} && end == begin + n;
  };
  if (!day || !number(11, 2, hh) || !number(14, 2, mm) || !number(17, 2, ss))
    return std::numeric_limits<double>::quiet_NaN();
  if (text.size() >= 24 && text[19] == '.' && !number(20, 3, ms)) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(*day) * kSecondsPerDay + hh * kSecondsPerHour + mm * kSecondsPerMinute + ss +
         ms / kMillisecondsPerSecond;
}

std::string duration(const io::RunInfo& run) {
  const double seconds = utc_seconds(run.finished_at) - utc_seconds(run.started_at);
  return std::isfinite(seconds) ? fmt::format("{:.1f} s", seconds) : "-";
}

/// "2026-02-01 09:30:00" from "2026-02-01T09:30:00.125Z", for tables.
std::string short_time(const std::string& iso) {
  if (iso.size() < 19) return iso;
  std::string out = iso.substr(0, 19);
  out[10] = ' ';
  return out;
}

std::string joined(const std::vector<std::string>& names, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i > 0 ? std::string(separator) : "") + names[i];
  return out;
}

}  // namespace

// --- JSON. NaN (unknown) is written as null. ---

using report::number_or_null;

json show_json(const io::RunRecord& r) { return report::run_show_json(r); }

namespace {

/// `export --json`: everything recorded, the monthly rows as in the CSV files.
json export_json(const io::RunRecord& r) {
  json out = show_json(r);
  out["scenario_text"] = r.scenario_text;
  json quantiles = json::array();
  for (const io::MonthlyQuantiles& q : r.monthly_quantiles) {
    quantiles.push_back({{"strategy", q.strategy ? json(*q.strategy) : json(nullptr)},
                         {"month", q.month},
                         {"series", q.series},
                         {"unit", io::series_unit(q.series)},
                         {"p5", number_or_null(q.p5)},
                         {"p25", number_or_null(q.p25)},
                         {"p50", number_or_null(q.p50)},
                         {"p75", number_or_null(q.p75)},
                         {"p95", number_or_null(q.p95)},
                         {"mean", number_or_null(q.mean)}});
  }
  out["monthly_quantiles"] = quantiles;
  json accounts = json::array();
  for (const io::MonthlyAccount& a : r.monthly_accounts) {
    accounts.push_back({{"strategy", a.strategy},
                        {"month", a.month},
                        {"field", a.field},
                        {"unit", io::series_unit(a.field)},
                        {"mean", number_or_null(a.mean)}});
  }
  out["monthly_accounts"] = accounts;
  json defaults = json::array();
  for (const io::DefaultMonth& d : r.default_months)
    defaults.push_back({{"strategy", d.strategy}, {"month", d.month}, {"paths_defaulted", d.paths_defaulted}});
  out["default_months"] = defaults;
  return out;
}

// --- CSV. ---

std::string csv_text(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}
/// Shortest digits that read back to the same double; empty when unknown (NaN).
std::string csv_number(double x) {
  if (std::isnan(x)) return "";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return fmt::format("{}", x);
}

struct CsvFile {
  std::string name;
  std::string text;
};

std::vector<CsvFile> csv_files(const io::RunRecord& r) {
  std::vector<CsvFile> files;
  const io::RunInfo& run = r.run;
  files.push_back({"run.csv",
                   "id,scenario_name,scenario_path,seed,paths,threads,version,started_at_utc,finished_at_utc,"
                   "start_date,horizon_days,variance_reduction\n" +
                       fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", run.id, csv_text(run.scenario_name),
                                   csv_text(run.scenario_path), run.seed, run.paths, run.threads, csv_text(run.version),
                                   run.started_at, run.finished_at, run.start_date, run.horizon_days,
                                   // empty: recorded before the store said
                                   run.variance_reduction ? (*run.variance_reduction ? "true" : "false") : "")});

  // A column per metric, in the table's order; a fraction's name says so.
  std::string summaries = "strategy";
  for (const sim::Metric& m : sim::kMetrics)
    summaries += fmt::format(",{}{}", m.column, m.unit == sim::MetricUnit::kFraction ? "_fraction" : "");
  summaries += '\n';
  for (const io::StrategySummary& s : r.strategies) {
    summaries += csv_text(s.strategy);
    for (const double x : s.values) summaries += "," + csv_number(x);
    summaries += '\n';
  }
  files.push_back({"strategy_summaries.csv", std::move(summaries)});

  // Long format: p5 … mean are in the row's unit; an empty strategy is a market series.
  std::string quantiles = "strategy,month,series,unit,p5,p25,p50,p75,p95,mean\n";
  for (const io::MonthlyQuantiles& q : r.monthly_quantiles) {
    quantiles += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_text(q.strategy.value_or("")), q.month,
                             csv_text(q.series), csv_text(io::series_unit(q.series)), csv_number(q.p5),
                             csv_number(q.p25), csv_number(q.p50), csv_number(q.p75), csv_number(q.p95),
                             csv_number(q.mean));
  }
  files.push_back({"monthly_quantiles.csv", std::move(quantiles)});

  std::string accounts = "strategy,month,field,unit,mean_over_paths\n";
  for (const io::MonthlyAccount& a : r.monthly_accounts) {
    accounts += fmt::format("{},{},{},{},{}\n", csv_text(a.strategy), a.month, csv_text(a.field),
                            csv_text(io::series_unit(a.field)), csv_number(a.mean));
  }
  files.push_back({"monthly_accounts.csv", std::move(accounts)});

  std::string defaults = "strategy,month,paths_defaulted,defaulted_fraction_of_paths\n";
  for (const io::DefaultMonth& d : r.default_months) {
    const double fraction = run.paths > 0 ? static_cast<double>(d.paths_defaulted) / static_cast<double>(run.paths)
                                          : std::numeric_limits<double>::quiet_NaN();
    defaults += fmt::format("{},{},{},{}\n", csv_text(d.strategy), d.month, d.paths_defaulted, csv_number(fraction));
  }
  files.push_back({"default_months.csv", std::move(defaults)});
  files.push_back({"scenario.toml", r.scenario_text});
  return files;
}

// --- Text. ---

void print_list(const std::vector<io::RunListing>& runs, const std::string& where) {
  if (runs.empty()) {
    fmt::print("no runs recorded in {}\n", where);
    return;
  }
  std::size_t scenario_width = 8;
  for (const io::RunListing& r : runs) scenario_width = std::max(scenario_width, r.run.scenario_name.size());
  scenario_width = std::min<std::size_t>(scenario_width, 40);
  fmt::print("{:>5}  {:<19}  {:<{}}  {:>10}  {:>8}  {:<10}  {:>7}  {:<8}  {}\n", "ID", "started (UTC)", "scenario",
             scenario_width, "paths", "seed", "start", "days", "version", "strategies");
  for (const io::RunListing& r : runs) {
    std::string name = r.run.scenario_name;
    if (name.size() > scenario_width) name = name.substr(0, scenario_width - 1) + "~";
    fmt::print("{:>5}  {:<19}  {:<{}}  {:>10}  {:>8}  {:<10}  {:>7}  {:<8}  {}\n", r.run.id,
               short_time(r.run.started_at), name, scenario_width, r.run.paths, r.run.seed, r.run.start_date,
               r.run.horizon_days, r.run.version, joined(r.strategies, ", "));
  }
  fmt::print("{} run{} in {}\n", runs.size(), runs.size() == 1 ? "" : "s", where);
}

constexpr std::size_t kLabelWidth = 34;   // as the strategy table's
constexpr std::size_t kColumnWidth = 12;
constexpr auto kMonthsInYear = static_cast<std::size_t>(kMonthsPerYear);

/// The share of paths that defaulted in each year of the horizon, per strategy.
void print_defaults_by_year(const io::RunRecord& r) {
  if (r.default_months.empty() || r.run.paths <= 0) return;
  std::vector<std::string> months;
  for (const io::DefaultMonth& d : r.default_months)
    if (std::find(months.begin(), months.end(), d.month) == months.end()) months.push_back(d.month);
  std::sort(months.begin(), months.end());
  report::TextTable table;
  table.header.emplace_back();
  for (const io::StrategySummary& s : r.strategies) table.header.push_back(s.strategy);
  for (std::size_t first = 0; first < months.size(); first += kMonthsInYear) {
    const std::size_t last = std::min(months.size(), first + kMonthsInYear) - 1;
    std::vector<std::string> row = {
        fmt::format("year {} ({} to {})", first / kMonthsInYear + 1, months[first], months[last])};
    for (const io::StrategySummary& s : r.strategies) {
      std::int64_t count = 0;
      for (const io::DefaultMonth& d : r.default_months)
        if (d.strategy == s.strategy && d.month >= months[first] && d.month <= months[last]) count += d.paths_defaulted;
      row.push_back(percent(static_cast<double>(count) / static_cast<double>(r.run.paths)));
    }
    table.rows.push_back(std::move(row));
  }
  fmt::print("\nDefaults by year of the horizon (share of paths):\n{}", report::table_text(table, kLabelWidth, kColumnWidth));
}

/// The market at each year end of the horizon and at its last month: median [5th, 95th percentile].
void print_market_bands(const io::RunRecord& r) {
  std::vector<std::string> market_months;
  for (const io::MonthlyQuantiles& q : r.monthly_quantiles)
    if (!q.strategy && std::find(market_months.begin(), market_months.end(), q.month) == market_months.end())
      market_months.push_back(q.month);
  if (!market_months.empty()) {
    std::sort(market_months.begin(), market_months.end());
    const std::vector<std::pair<std::string, std::string>> series = {{"btc_price_usd", "BTC price ($)"},
                                                                     {"hashprice_usd_per_ph_day", "hashprice ($/PH/day)"},
                                                                     {"difficulty_t", "difficulty (T)"}};
    fmt::print("\nMarket, median [5th, 95th percentile] over paths:\n{:<9}", "month");
    for (const auto& [key, label] : series) fmt::print("{:>30}", label);
    fmt::print("\n");
    for (std::size_t m = 0; m < market_months.size(); ++m) {
      if ((m + 1) % kMonthsInYear != 0 && m + 1 != market_months.size()) continue;
      fmt::print("{:<9}", market_months[m]);
      for (const auto& [key, label] : series) {
        // A named copy: C++20 lambdas may capture structured bindings, clang before 16 may not.
        const std::string_view wanted = key;
        const auto it = std::find_if(r.monthly_quantiles.begin(), r.monthly_quantiles.end(),
                                     [&](const io::MonthlyQuantiles& q) {
                                       return !q.strategy && q.month == market_months[m] && q.series == wanted;
                                     });
        const int digits = key == "btc_price_usd" ? 0 : 2;
        fmt::print("{:>30}", it == r.monthly_quantiles.end()
                                 ? std::string("-")
                                 : fmt::format("{} [{}, {}]", fixed(it->p50, digits), fixed(it->p5, digits),
                                               fixed(it->p95, digits)));
      }
      fmt::print("\n");
    }
  }
}

void print_show(const io::RunRecord& r, const std::string& where) {
  const io::RunInfo& run = r.run;
  fmt::print("run {} in {}: {}\n", run.id, where, run.scenario_name);
  fmt::print("  scenario   {}\n", run.scenario_path.empty() ? "-" : run.scenario_path);
  fmt::print("  sampling   {} paths, seed {}{}{}\n", run.paths, run.seed,
             run.threads > 0 ? fmt::format(", {} thread{}", run.threads, run.threads == 1 ? "" : "s") : "",
             run.variance_reduction.value_or(false) ? ", variance reduction" : "");
  fmt::print("  horizon    {} + {} days\n", run.start_date, run.horizon_days);
  fmt::print("  recorded   hashpivot {}, {} to {} ({})\n", run.version, run.started_at, run.finished_at,
             duration(run));
  for (std::size_t i = 0; i < r.market_description.size(); ++i)
    fmt::print("  {:<9}  {}\n", i == 0 ? "market" : "", r.market_description[i]);
  for (std::size_t i = 0; i < r.warnings.size(); ++i)
    fmt::print("  {:<9}  {}\n", i == 0 ? "warnings" : "", r.warnings[i]);
  fmt::print("\n");
  if (r.strategies.empty()) return;

  fmt::print("{}", report::comparison_text(r.strategies));
  print_defaults_by_year(r);
  print_market_bands(r);
}

// --- Commands. ---

void run_list(const RunsOptions& o) {
  const auto store = open_store(o);
  const std::vector<io::RunListing> runs = store->list();
  if (o.json) {
    json list = json::array();
    for (const io::RunListing& r : runs) {
      list.push_back(report::run_listing_json(r));
    }
    std::cout << json{{"store", store->location()}, {"engine", store->engine_name()}, {"runs", list}}.dump(2) << '\n';
    return;
  }
  print_list(runs, store->location());
}

void run_show(const RunsOptions& o) {
  const auto store = open_store(o);
  const io::RunRecord record = store->load_or_throw(o.id);
  if (o.json) {
    std::cout << show_json(record).dump(2) << '\n';
    return;
  }
  print_show(record, store->location());
}

void run_export(const RunsOptions& o) {
  if (o.csv_dir.empty() == !o.json)
    throw InputError("command line", 0, "--csv/--json", "give exactly one of --csv DIR and --json");
  if (!o.json) check_output_folder(o.csv_dir, "--csv");
  const auto store = open_store(o);
  const io::RunRecord record = store->load_or_throw(o.id);
  if (o.json) {
    std::cout << export_json(record).dump(2) << '\n';
    return;
  }
  const std::filesystem::path dir = o.csv_dir;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error || !std::filesystem::is_directory(dir))
    throw InputError(o.csv_dir, 0, "--csv", fmt::format("cannot create the folder{}", error ? ": " + error.message() : ""));
  // The export's files together: all written to temporaries first, then renamed in a row with
  // SIGINT/SIGTERM held back, so a failed write or a signal leaves none of them half written.
  std::vector<StagedFile> staged;
  for (const CsvFile& file : csv_files(record)) staged.emplace_back(dir / file.name, file.text, "--csv");
  {
    const cancellation::Deferred deferred;
    for (StagedFile& file : staged) file.commit();
  }
  for (const StagedFile& file : staged) fmt::print("{}\n", file.path().string());
}

constexpr const char* kDbHelp =
    "Result store: a SQLite file, or a postgresql://USER[:PASSWORD]@HOST[:PORT]/DB URL "
    "(default: $HASHPIVOT_DB if set, else hashpivot.sqlite in the current directory)";

void add_db_option(CLI::App* cmd, RunsOptions& options) {
  cmd->add_option("--db", options.db, kDbHelp)->capture_default_str();
}

}  // namespace

void add_runs_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  static_cast<void>(group);
  CLI::App* runs = app.add_subcommand(
      "runs",
      "The runs recorded by `hashpivot run` in a result store: every run's scenario text, seed, paths, version,\n"
      "times, per-strategy summaries, per-month quantiles of the main series and the default-time distribution.\n"
      "The store is a SQLite file (default: $HASHPIVOT_DB if set, else hashpivot.sqlite in the current directory)\n"
      "or PostgreSQL (--db postgresql://USER@HOST:PORT/DB), with the same schema. Exit codes: 0 ok, 2 an unknown\n"
      "ID, a store that cannot be read or a --csv folder that cannot be written, 3 internal error.");
  runs->require_subcommand(1);

  auto list = std::make_shared<RunsOptions>();
  list->db = io::default_result_store();
  CLI::App* list_cmd = runs->add_subcommand("list", "One line per recorded run, oldest first");
  add_db_option(list_cmd, *list);
  list_cmd->add_flag("--json", list->json, "Print one JSON object: store, engine, runs (id, scenario, seed, …)");
  list_cmd->callback([list, &exit_code] {
    run_list(*list);
    exit_code = kExitOk;
  });

  auto show = std::make_shared<RunsOptions>();
  show->db = io::default_result_store();
  CLI::App* show_cmd = runs->add_subcommand(
      "show", "A recorded run: its settings, the strategy comparison, defaults by year and the market's bands");
  show_cmd->add_option("ID", show->id, "The run's id (`hashpivot runs list`)")
      ->required()
      ->transform(count_in_range("", 1, std::numeric_limits<std::int64_t>::max()));
  add_db_option(show_cmd, *show);
  show_cmd->add_flag("--json", show->json,
                     "Print one JSON object: the run's settings and its strategies, keyed as `hashpivot run --json`");
  show_cmd->callback([show, &exit_code] {
    run_show(*show);
    exit_code = kExitOk;
  });

  auto exported = std::make_shared<RunsOptions>();
  exported->db = io::default_result_store();
  CLI::App* export_cmd = runs->add_subcommand(
      "export",
      "Everything recorded about a run. --csv DIR writes run.csv, strategy_summaries.csv, monthly_quantiles.csv,\n"
      "monthly_accounts.csv, default_months.csv and scenario.toml into DIR (each through a temporary file and a\n"
      "rename; columns named with their units, a unit column where rows differ; empty cells are unknown).\n"
      "--json prints the same as one JSON object.");
  export_cmd->add_option("ID", exported->id, "The run's id (`hashpivot runs list`)")
      ->required()
      ->transform(count_in_range("", 1, std::numeric_limits<std::int64_t>::max()));
  add_db_option(export_cmd, *exported);
  CLI::Option* csv = export_cmd->add_option("--csv", exported->csv_dir, "Folder to write the CSV files into");
  CLI::Option* as_json = export_cmd->add_flag("--json", exported->json, "Print one JSON object instead");
  csv->excludes(as_json);
  export_cmd->callback([exported, &exit_code] {
    run_export(*exported);
    exit_code = kExitOk;
  });
}

}  // namespace hashpivot::cli
