// The history backtest against independent references: the hashprice recomputed here from the CSV's
// own columns, the exact scaling by uptime and pool fee, the fill rule on a synthetic history, and
// month sums equal to the sums of the days.

#include "hashpivot/study/history_backtest.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/market/asic_price.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::study {
namespace {

const std::string kHistory = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

DayNumber day(const char* text) { return *parse_date(text); }

// ---- An independent reading of the CSV: a few lines of splitting, no library code. -------------

struct CsvDay {
  double price = kNaN, difficulty = kNaN, blocks = kNaN, fees = kNaN, supply = kNaN;
};

double cell(const std::vector<std::string>& cells, std::size_t i) {
  return i < cells.size() && !cells[i].empty() ? std::stod(cells[i]) : kNaN;
}

// Cells of a CSV line (the file has CRLF line ends).
std::vector<std::string> split(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string c;
  while (std::getline(in, c, ',')) cells.push_back(c);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

std::map<std::string, CsvDay> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  std::map<std::string, CsvDay> rows;
  while (std::getline(in, line)) {
    const auto cells = split(line);
    rows[cells[col.at("time")].substr(0, 10)] = {cell(cells, col.at("PriceUSD")), cell(cells, col.at("DiffMean")),
                                                 cell(cells, col.at("BlkCnt")), cell(cells, col.at("FeeTotNtv")),
                                                 cell(cells, col.at("SplyCur"))};
  }
  return rows;
}

// BTC per PH/s per day, closed form: (issuance + fees) / blocks × 86400 s × 10^15 H/s / (2^32 × difficulty).
double reference_hashprice_btc(const CsvDay& today, const CsvDay& yesterday) {
  const double reward_per_block = (today.supply - yesterday.supply + today.fees) / today.blocks;
  return reward_per_block * 86400.0 * 1e15 / (4294967296.0 * today.difficulty);
}

// ---- Scenarios ---------------------------------------------------------------------------------

struct FirmText {
  double uptime = 1.0;
  double pool_fee = 0.0;
  std::string curtail = "never";
  std::string power_contract = "fixed";
  std::string start_date = "2026-02-01";
  double cash_usd = 50e6;
  double sga_usd_per_year = 0;
  std::string extra;  // appended TOML (debts)
};

firm::Scenario scenario(const FirmText& f, const std::string& name) {
  const std::string text = R"([scenario]
name = "history test miner"
start_date = )" + f.start_date + R"(
horizon_years = 1
seed = 1
discount_rate_annual = 0.1

[market]
calibration = "unused.toml"
btc_price_usd = 78000
fees_btc_per_block = 0.02
network_hashrate_ehs = 900
height = 934542
bits = "0x1701fca1"
epoch_first_block_time_unix = 1769110282

[[machines]]
name = "XP"
hashrate_th = 140
power_w = 3150
release_year = 2022

[[sites]]
name = "site"
capacity_mw = 40
power_contract = ")" + f.power_contract + R"("
power_price_usd_per_mwh = 75.8

[[fleet]]
machine = "XP"
site = "site"
count = 10000
uptime = )" + std::to_string(f.uptime) + R"(

[treasury]
btc = 100
cash_usd = )" + std::to_string(f.cash_usd) + R"(
sga_usd_per_year = )" + std::to_string(f.sga_usd_per_year) + R"(
pool_fee = )" + std::to_string(f.pool_fee) + R"(
)" + f.extra + R"(
[[strategies]]
name = "hold"
curtail = ")" + f.curtail + R"("

[[strategies]]
name = "sell"
sell = "sell_all_mined"
)";
  const auto path = std::filesystem::temp_directory_path() / ("hashpivot_history_backtest_" + name + ".toml");
  std::ofstream(path) << text;
  firm::Scenario s = io::read_scenario(path.string());
  std::filesystem::remove(path);
  return s;
}

constexpr double kFleetTh = 10000 * 140.0;

const market::DailyHistory& history() {
  static const market::DailyHistory h = market::read_daily_history_csv(kHistory);
  return h;
}

// A window on which every column is known (fees from 2025-08-11, block counts to 2026-01-31).
const DayNumber kKnownFrom = day("2025-08-11");
const DayNumber kKnownTo = day("2026-01-31");

TEST(HistoryBacktest, btc_mined_per_th_equals_the_hashprice_of_the_csv_columns_every_day) {
  const auto csv = read_csv(kHistory);
  const HistoryBacktest r = run_history_backtest(scenario({}, "plain"), 0, history(), kKnownFrom, kKnownTo);
  ASSERT_EQ(r.days.size(), static_cast<std::size_t>(kKnownTo - kKnownFrom + 1));
  for (const int filled : r.filled_days) EXPECT_EQ(filled, 0);
  for (const HistoryBacktestDay& d : r.days) {
    const CsvDay& today = csv.at(format_date(d.market.day));
    const CsvDay& yesterday = csv.at(format_date(d.market.day - 1));
    ASSERT_TRUE(std::isfinite(today.fees) && std::isfinite(today.blocks) && std::isfinite(today.difficulty));
    const double reference_btc = reference_hashprice_btc(today, yesterday);
    const double per_th = d.accounts.btc_mined / kFleetTh;
    EXPECT_NEAR(per_th / (reference_btc / 1000.0), 1.0, 1e-12) << format_date(d.market.day);
    EXPECT_NEAR(d.market.hashprice_usd_per_ph_day / (reference_btc * today.price), 1.0, 1e-12);
    EXPECT_NEAR(d.accounts.mining_revenue_usd / (d.accounts.btc_mined * today.price), 1.0, 1e-12);
  }
  // The window's mean hashprice agrees with the market library's own reading of the history.
  EXPECT_NEAR(r.total.hashprice_usd_per_ph_day / market::mean_hashprice_usd_per_ph_day(history(), kKnownFrom, kKnownTo),
              1.0, 1e-12);
}

TEST(HistoryBacktest, uptime_and_pool_fee_scale_btc_mined_exactly) {
  const HistoryBacktest base = run_history_backtest(scenario({}, "base"), 0, history(), kKnownFrom, kKnownTo);
  FirmText f;
  f.uptime = 0.875;
  f.pool_fee = 0.025;
  const HistoryBacktest scaled = run_history_backtest(scenario(f, "scaled"), 0, history(), kKnownFrom, kKnownTo);
  ASSERT_EQ(base.days.size(), scaled.days.size());
  for (std::size_t k = 0; k < base.days.size(); ++k)
    EXPECT_NEAR(scaled.days[k].accounts.btc_mined / (base.days[k].accounts.btc_mined * 0.875 * 0.975), 1.0, 1e-12);
  EXPECT_NEAR(scaled.total.sums.btc_mined / (base.total.sums.btc_mined * 0.875 * 0.975), 1.0, 1e-12);
  // The effective hashrate recovered from BTC mined is the fleet after uptime.
  EXPECT_NEAR(scaled.total.effective_ph_days / static_cast<double>(scaled.total.days), kFleetTh * 0.875 / 1e3, 1e-6);
}

// ---- The fill rule on a synthetic history ----------------------------------------------------

std::filesystem::path write_history(const std::string& name, const std::string& rows) {
  const auto path = std::filesystem::temp_directory_path() / ("hashpivot_history_backtest_" + name + ".csv");
  std::ofstream(path) << "time,PriceUSD,DiffMean,BlkCnt,HashRate,FeeTotNtv,SplyCur\n" << rows;
  return path;
}

// Ten days of January 2025 (supply in the 3.125 BTC era). Unknown: fees on the 2nd, 3rd (the
// window opens on the 2nd), 6th, 8th and 9th; DiffMean on the 5th; BlkCnt on the 7th (so its
// issuance and fees per block are unknown too); the price on the 10th.
const std::string kSyntheticRows = "2025-01-01,90000,1e14,100,,1.0,19800000\n"
                                   "2025-01-02,91000,1e14,140,,,19800437.5\n"
                                   "2025-01-03,92000,1e14,150,,,19800906.25\n"
                                   "2025-01-04,93000,1e14,144,,3.6,19801356.25\n"
                                   "2025-01-05,94000,,144,,7.2,19801806.25\n"
                                   "2025-01-06,95000,1.1e14,144,,,19802256.25\n"
                                   "2025-01-07,96000,1.1e14,,,,19802700\n"
                                   "2025-01-08,97000,1.1e14,120,,,19803075\n"
                                   "2025-01-09,98000,1.1e14,100,,,19803387.5\n"
                                   "2025-01-10,,1.1e14,160,,8.0,19803887.5\n";

TEST(HistoryBacktest, fill_rule_carries_the_last_known_value_and_counts_the_days) {
  const auto path = write_history("fill", kSyntheticRows);
  const market::DailyHistory h = market::read_daily_history_csv(path);
  const std::vector<HistoryMarketDay> m = history_market_days(h, day("2025-01-02"), day("2025-01-10"));
  ASSERT_EQ(m.size(), 9u);
  // Fees per block: the 2nd and 3rd take the window's first known (the 4th: 3.6 / 144), never the
  // 1st's 1.0 / 100 before the window; the 6th carries the 5th; the 7th (BlkCnt unknown), 8th and 9th carry it on.
  const double fees_4th = 3.6 / 144, fees_5th = 7.2 / 144;
  const std::vector<double> fees{fees_4th, fees_4th, fees_4th, fees_5th, fees_5th, fees_5th, fees_5th, fees_5th, 8.0 / 160};
  const std::vector<bool> fees_filled{true, true, false, false, true, true, true, true, false};
  for (std::size_t k = 0; k < m.size(); ++k) {
    EXPECT_DOUBLE_EQ(m[k].fees_btc_per_block, fees[k]) << k;
    EXPECT_EQ(m[k].filled[static_cast<std::size_t>(HistoryInput::kFeesPerBlock)], fees_filled[k]) << k;
  }
  // Difficulty: the 5th carries the 4th's.
  EXPECT_DOUBLE_EQ(m[3].difficulty, 1e14);
  EXPECT_TRUE(m[3].filled[static_cast<std::size_t>(HistoryInput::kDifficulty)]);
  // Issuance per block: from SplyCur / BlkCnt where known; on the 7th the chain's 3.125 BTC subsidy.
  EXPECT_DOUBLE_EQ(m[0].issuance_btc_per_block, 437.5 / 140);
  EXPECT_DOUBLE_EQ(m[5].issuance_btc_per_block, 3.125);
  EXPECT_TRUE(m[5].filled[static_cast<std::size_t>(HistoryInput::kIssuancePerBlock)]);
  // Price: the 10th carries the 9th's.
  EXPECT_DOUBLE_EQ(m[8].price_usd_per_btc, 98000);
  // The hashprice is built from the filled inputs.
  EXPECT_NEAR(m[3].hashprice_btc_per_ph_day / ((3.125 + fees_5th) * 86400.0 * 1e15 / (4294967296.0 * 1e14)), 1.0, 1e-14);

  const HistoryBacktest r = run_history_backtest(scenario({}, "fill"), 0, h, day("2025-01-02"), day("2025-01-10"));
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kPrice)], 1);
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kDifficulty)], 1);
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kIssuancePerBlock)], 1);
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kFeesPerBlock)], 6);
  EXPECT_EQ(r.total.days_with_filled_input, 8);  // every day but the 4th
  std::filesystem::remove(path);
}

TEST(HistoryBacktest, a_column_unknown_in_the_whole_window_is_an_error_naming_it) {
  const auto path = write_history("nofees", "2025-01-01,90000,1e14,144,,,19800000\n2025-01-02,91000,1e14,144,,,19800450\n"
                                            "2025-01-03,92000,1e14,144,,3.0,19800900\n");
  const market::DailyHistory h = market::read_daily_history_csv(path);
  try {
    (void)history_market_days(h, day("2025-01-01"), day("2025-01-02"));
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "FeeTotNtv");
    EXPECT_EQ(e.source(), path.string());
  }
  // With the 3rd in the window the 1st and 2nd take its value.
  EXPECT_DOUBLE_EQ(history_market_days(h, day("2025-01-01"), day("2025-01-03"))[0].fees_btc_per_block, 3.0 / 144);
  std::filesystem::remove(path);
}

// The library names its parameter; the CLI maps it to its flag (backtest_cli_test checks --from/--to).
TEST(HistoryBacktest, window_outside_the_history_or_reversed_names_the_parameter) {
  auto field_of = [](DayNumber from, DayNumber to) {
    try {
      (void)history_market_days(history(), from, to);
    } catch (const ParameterError& e) {
      return e.parameter();
    }
    return std::string("no error");
  };
  EXPECT_EQ(field_of(day("2025-02-01"), day("2025-01-01")), "from");
  EXPECT_EQ(field_of(day("2008-12-01"), day("2025-01-01")), "from");
  EXPECT_EQ(field_of(day("2025-01-01"), day("2030-01-01")), "to");
}

TEST(HistoryBacktest, subsidy_at_supply_follows_the_halving_schedule) {
  EXPECT_EQ(subsidy_btc_at_supply(0), 50.0);
  EXPECT_EQ(subsidy_btc_at_supply(10'499'999), 50.0);
  EXPECT_EQ(subsidy_btc_at_supply(10'500'000), 25.0);
  EXPECT_EQ(subsidy_btc_at_supply(19'687'499), 6.25);
  EXPECT_EQ(subsidy_btc_at_supply(19'687'500), 3.125);
  EXPECT_EQ(subsidy_btc_at_supply(19'900'000), 3.125);
  EXPECT_EQ(subsidy_btc_at_supply(21'000'000), 0.0);
}

// ---- Months, power, the moved start ------------------------------------------------------------

TEST(HistoryBacktest, month_sums_equal_the_sums_of_their_days) {
  FirmText f;
  f.sga_usd_per_year = 3.65e6;
  f.extra = "[[debt]]\nname = \"term\"\nkind = \"term\"\nprincipal_usd = 10e6\nrate_annual = 0.1\nmaturity = 2027-01-01\n";
  const HistoryBacktest r = run_history_backtest(scenario(f, "months"), 1, history(), day("2025-08-20"), day("2025-11-10"));
  ASSERT_EQ(r.months.size(), 4u);
  EXPECT_EQ(r.months.front().label, "2025-08");
  EXPECT_EQ(r.months.back().label, "2025-11");
  EXPECT_EQ(r.strategy_name, "sell");
  std::size_t k = 0;
  double btc = 0, revenue = 0, power = 0, ebitda = 0, interest = 0, sga = 0;
  for (const HistoryBacktestPeriod& m : r.months) {
    double m_btc = 0, m_revenue = 0, m_power = 0, m_ebitda = 0, m_hashprice = 0, m_sold = 0;
    int days = 0;
    for (; k < r.days.size() && format_month(r.days[k].market.day) == m.label; ++k, ++days) {
      const auto& a = r.days[k].accounts;
      m_btc += a.btc_mined;
      m_revenue += a.mining_revenue_usd;
      m_power += a.power_cost_usd;
      m_ebitda += a.ebitda_usd;
      m_sold += a.btc_sold;
      m_hashprice += r.days[k].market.hashprice_usd_per_ph_day;
      interest += a.interest_usd;
      sga += a.sga_usd;
    }
    ASSERT_GT(days, 0);
    EXPECT_EQ(m.days, days);
    EXPECT_NEAR(m.sums.btc_mined, m_btc, 1e-12 * m_btc);
    EXPECT_NEAR(m.sums.mining_revenue_usd, m_revenue, 1e-12 * m_revenue);
    EXPECT_NEAR(m.sums.power_cost_usd, m_power, 1e-12 * m_power);
    EXPECT_NEAR(m.sums.ebitda_usd, m_ebitda, 1e-9 * std::abs(m_ebitda) + 1e-6);
    EXPECT_NEAR(m.sums.btc_sold, m_sold, 1e-12 * m_sold);
    EXPECT_NEAR(m.hashprice_usd_per_ph_day, m_hashprice / days, 1e-12 * m_hashprice / days);
    EXPECT_EQ(m.cash_usd_end, r.days[k - 1].cash_usd);
    EXPECT_EQ(m.btc_held_end, r.days[k - 1].btc_held);
    btc += m_btc;
    revenue += m_revenue;
    power += m_power;
    ebitda += m_ebitda;
  }
  EXPECT_EQ(k, r.days.size());
  EXPECT_EQ(r.months[0].days, 12);
  EXPECT_EQ(r.months[3].days, 10);
  EXPECT_NEAR(r.total.sums.btc_mined, btc, 1e-12 * btc);
  EXPECT_NEAR(r.total.sums.mining_revenue_usd, revenue, 1e-12 * revenue);
  EXPECT_NEAR(r.total.sums.power_cost_usd, power, 1e-12 * power);
  EXPECT_NEAR(r.total.sums.ebitda_usd, ebitda, 1e-9 * std::abs(ebitda));
  EXPECT_NEAR(r.total.sums.interest_usd, interest, 1e-9 * interest);
  EXPECT_NEAR(r.total.sums.sga_usd, 10'000.0 * static_cast<double>(r.days.size()), 1e-6);
  // Fixed power: every day draws the fleet's 31.5 MW for 24 h at $75.8/MWh.
  EXPECT_NEAR(r.days[0].accounts.power_cost_usd, 31.5 * 24 * 75.8, 1e-6);
  // Selling all mined: the BTC held stays the opening 100.
  EXPECT_NEAR(r.total.btc_held_end, 100.0, 1e-9);
}

TEST(HistoryBacktest, the_firm_starts_on_from_marked_at_that_days_price) {
  const HistoryBacktest r = run_history_backtest(scenario({}, "start"), 0, history(), day("2025-09-01"), day("2025-09-30"));
  const auto csv = read_csv(kHistory);
  // No revaluation on the first day: BTC is marked at 2025-09-01's price from the start.
  EXPECT_EQ(r.days[0].accounts.btc_revaluation_gain_usd, 0.0);
  EXPECT_EQ(r.days[0].market.price_usd_per_btc, csv.at("2025-09-01").price);
  // The second day revalues the opening 100 BTC (plus the first day's mining) at the change of price.
  EXPECT_NEAR(r.days[1].accounts.btc_revaluation_gain_usd,
              (100.0 + r.days[0].accounts.btc_mined) * (csv.at("2025-09-02").price - csv.at("2025-09-01").price), 1e-6);
}

TEST(HistoryBacktest, the_real_2025_gaps_are_filled_and_counted) {
  // Fees are unknown to 2025-08-10, BlkCnt from 2025-04-17 to 2025-08-10, DiffMean from 2025-04-18 to 2025-08-09
  // (2025-04-17 and 2025-08-10 lie wholly in one epoch: data/README.md).
  const HistoryBacktest r = run_history_backtest(scenario({}, "2025"), 0, history(), day("2025-01-01"), day("2025-12-31"));
  EXPECT_EQ(r.months.size(), 12u);
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kPrice)], 0);
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kFeesPerBlock)], 222);
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kDifficulty)], 114);
  EXPECT_EQ(r.filled_days[static_cast<std::size_t>(HistoryInput::kIssuancePerBlock)], 116);
  const auto csv = read_csv(kHistory);
  const CsvDay& first_fees = csv.at("2025-08-11");
  EXPECT_DOUBLE_EQ(r.days[0].market.fees_btc_per_block, first_fees.fees / first_fees.blocks);
  const std::size_t may_1 = static_cast<std::size_t>(day("2025-05-01") - day("2025-01-01"));
  EXPECT_EQ(r.days[may_1].market.difficulty, csv.at("2025-04-17").difficulty);
  EXPECT_EQ(r.days[may_1].market.issuance_btc_per_block, 3.125);
}

TEST(HistoryBacktest, index_sites_pay_their_constant_and_curtailment_decides_on_it) {
  FirmText f;
  f.power_contract = "index";
  const HistoryBacktest r = run_history_backtest(scenario(f, "index"), 0, history(), kKnownFrom, kKnownTo);
  for (const auto& d : r.days) EXPECT_NEAR(d.accounts.power_cost_usd, 31.5 * 24 * 75.8, 1e-6);
  // Economic curtailment at $75.8/MWh: 1 PH/s of XPs (22.5 J/TH) burns 22.5 kW × 24 h = 0.54 MWh a
  // day, so it runs on a day only when hashprice_usd / 0.54 > 75.8 (about $40.9/PH/day).
  f.curtail = "economic";
  const HistoryBacktest c = run_history_backtest(scenario(f, "curtail"), 0, history(), kKnownFrom, kKnownTo);
  int ran = 0;
  for (const auto& d : c.days) {
    const bool runs = d.market.hashprice_usd_per_ph_day / (22.5 * 24 * 1e-3) > 75.8;
    EXPECT_EQ(d.accounts.btc_mined > 0, runs) << format_date(d.market.day);
    ran += runs ? 1 : 0;
  }
  // The window holds days of both kinds (hashprice fell below $40/PH/day in November 2025).
  EXPECT_GT(ran, 0);
  EXPECT_LT(ran, static_cast<int>(c.days.size()));
}

TEST(HistoryBacktest, a_default_is_reported_and_nothing_is_mined_after_it) {
  FirmText f;
  f.cash_usd = 0;
  f.sga_usd_per_year = 1e12;  // costs no BTC sale can cover
  const HistoryBacktest r = run_history_backtest(scenario(f, "default"), 0, history(), kKnownFrom, kKnownTo);
  ASSERT_TRUE(r.default_day.has_value());
  EXPECT_EQ(*r.default_day, kKnownFrom);
  EXPECT_EQ(r.days[1].accounts.btc_mined, 0.0);
}

TEST(HistoryBacktest, dates_before_the_moved_start_are_noted) {
  FirmText f;
  f.start_date = "2025-01-01";
  f.extra = "[[debt]]\nname = \"old\"\nkind = \"term\"\nprincipal_usd = 1e6\nrate_annual = 0.1\nmaturity = 2025-09-01\n";
  const HistoryBacktest r = run_history_backtest(scenario(f, "notes"), 0, history(), day("2025-10-01"), day("2025-10-31"));
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("\"old\""), std::string::npos);
  // Repaid in cash on the first day.
  EXPECT_EQ(r.days[0].accounts.debt_repaid_usd, 1e6);
  EXPECT_EQ(r.days[0].debt_usd, 0.0);
}

}  // namespace
}  // namespace hashpivot::study
