// The bundled scenarios (scenarios/*.toml): every one reads, and the Cango scenario's figures agree
// with independent data. The expected market figures are computed here from the bundled history and
// chain files, never copied from the scenario; the firm figures are checked against the public totals
// of docs/model.md §7 that the scenario splits into assumptions.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::io {
namespace {

const std::filesystem::path kScenarios = HASHPIVOT_SCENARIOS_DIR;
const std::filesystem::path kData = HASHPIVOT_TEST_DATA_DIR;
const std::filesystem::path kHistory = kData / "history" / "btc_daily_history_coinmetrics_format.csv";
const std::filesystem::path kEpochs = kData / "chain" / "btc_difficulty_epochs.csv";

std::vector<std::filesystem::path> bundled() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

const firm::Scenario& cango() {
  static const firm::Scenario scenario = read_scenario((kScenarios / "cango.toml").string());
  return scenario;
}

// ---- Every scenario ------------------------------------------------------------------------------

TEST(BundledScenarios, every_scenario_reads_and_names_files_that_exist) {
  const auto files = bundled();
  for (const char* name : {"cango.toml", "hydro_no_debt.toml", "levered_btc_backed.toml"})
    EXPECT_TRUE(std::filesystem::exists(kScenarios / name)) << name;
  ASSERT_GE(files.size(), 3u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    firm::Scenario s{};
    ASSERT_NO_THROW(s = read_scenario(path.string()));
    EXPECT_GE(s.strategies.size(), 2u);
    EXPECT_FALSE(s.fleet.empty());
    // The calibration (and a bootstrap's history) are relative to the scenario file.
    EXPECT_TRUE(std::filesystem::exists(path.parent_path() / s.market.calibration_file)) << s.market.calibration_file;
    if (s.market.btc_price_model == firm::PriceModel::kBlockBootstrap) {
      EXPECT_TRUE(std::filesystem::exists(path.parent_path() / s.market.history_file)) << s.market.history_file;
    }
  }
}

// The three firms meet the same market on the same date with the same seed, so their results can be
// set side by side.
TEST(BundledScenarios, the_contrasting_firms_share_cangos_market) {
  const firm::Scenario& c = cango();
  for (const char* name : {"hydro_no_debt.toml", "levered_btc_backed.toml"}) {
    SCOPED_TRACE(name);
    const firm::Scenario s = read_scenario((kScenarios / name).string());
    EXPECT_EQ(s.run.start_date, c.run.start_date);
    EXPECT_EQ(s.run.seed, c.run.seed);
    EXPECT_EQ(s.market.calibration_file, c.market.calibration_file);
    EXPECT_EQ(s.market.btc_price_model, c.market.btc_price_model);
    EXPECT_EQ(s.market.btc_price_usd, c.market.btc_price_usd);
    EXPECT_EQ(s.market.fees_btc_per_block, c.market.fees_btc_per_block);
    EXPECT_EQ(s.market.network_hashrate_ehs, c.market.network_hashrate_ehs);
    EXPECT_EQ(s.market.height, c.market.height);
    EXPECT_EQ(s.market.bits, c.market.bits);
    EXPECT_EQ(s.market.epoch_first_block_time_unix, c.market.epoch_first_block_time_unix);
  }
}

// ---- Cango's market at the start date, from the history ----------------------------------------

class BundledCangoMarket : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The month before the start and the start itself, which a run must not have seen.
    const DayNumber start = cango().run.start_date;
    history_ = market::read_daily_history_csv(kHistory, start - 62, start - 1);
  }
  static void TearDownTestSuite() { history_.reset(); }

  static const market::DailyHistory& history() { return *history_; }
  static std::size_t index(DayNumber day) {
    const auto i = history().index_of(day);
    EXPECT_TRUE(i.has_value()) << format_date(day);
    return i.value_or(0);
  }

  static std::optional<market::DailyHistory> history_;
};
std::optional<market::DailyHistory> BundledCangoMarket::history_;

TEST_F(BundledCangoMarket, price_is_price_usd_of_the_day_before_the_start) {
  const DayNumber day_before = cango().run.start_date - 1;
  const double price = history().price_usd[index(day_before)];
  ASSERT_TRUE(market::is_known(price));
  EXPECT_NEAR(cango().market.btc_price_usd, price, 0.005) << "PriceUSD of " << format_date(day_before);
}

// Not the 7-day mean, which a winter storm depressed (docs/scenario.md, "The starting hashrate"): the hashrate at
// which the difficulty in force on the day before the start (DiffMean of a day wholly in epoch 463) gives
// 10-minute blocks, D x 2^32 / 600 s.
TEST_F(BundledCangoMarket, network_hashrate_gives_ten_minute_blocks_at_the_difficulty_in_force) {
  const DayNumber start = cango().run.start_date;
  const double difficulty = history().difficulty[index(start - 1)];
  ASSERT_TRUE(market::is_known(difficulty));
  const double ehs = difficulty * 4294967296.0 / 600.0 / 1e18;
  EXPECT_NEAR(cango().market.network_hashrate_ehs, ehs, 0.05);  // given to 0.1 EH/s
  double sum_ths = 0;
  for (DayNumber day = start - 7; day < start; ++day) sum_ths += history().hashrate_ths[index(day)];
  EXPECT_LT(sum_ths / 7 / 1e6, 0.9 * ehs) << "the storm's week";
}

TEST_F(BundledCangoMarket, fees_are_the_mean_per_block_of_the_month_before_the_start) {
  const DayNumber start = cango().run.start_date;
  const std::string month = format_month(start - 1);
  double fees = 0, blocks = 0;
  int days = 0;
  for (DayNumber day = start - 1; format_month(day) == month; --day) {
    const std::size_t i = index(day);
    ASSERT_TRUE(market::is_known(history().fees_btc[i]) && market::is_known(history().block_count[i])) << format_date(day);
    fees += history().fees_btc[i];
    blocks += history().block_count[i];
    ++days;
  }
  EXPECT_EQ(days, 31);  // January
  EXPECT_NEAR(cango().market.fees_btc_per_block, fees / blocks, 5e-6);  // given to 5 decimals
}

// ---- Cango's chain state, from the epochs table and the history ---------------------------------

struct Epoch {
  std::int64_t start_height, end_height;
  std::uint32_t bits;
  double difficulty;
  std::optional<std::int64_t> start_time_unix;
};

std::vector<Epoch> read_epochs() {
  csv::Reader reader = csv::Reader::open(kEpochs);
  const std::size_t start_height = reader.column("start_height"), end_height = reader.column("end_height"),
                    bits = reader.column("nbits_hex"), difficulty = reader.column("difficulty"),
                    start_time = reader.column("start_time_unix");
  std::vector<Epoch> epochs;
  csv::Row row;
  while (reader.next(row)) {
    Epoch e{row.as_int64(start_height), row.as_int64(end_height), row.as_hex_u32(bits), row.as_double(difficulty),
            std::nullopt};
    if (!row.empty(start_time)) e.start_time_unix = row.as_int64(start_time);
    epochs.push_back(e);
  }
  return epochs;
}

TEST_F(BundledCangoMarket, bits_and_epoch_time_are_those_of_the_epoch_holding_the_start_height) {
  const firm::MarketSetup& m = cango().market;
  const std::vector<Epoch> epochs = read_epochs();
  const auto holding = std::find_if(epochs.begin(), epochs.end(), [&](const Epoch& e) {
    return e.start_height <= m.height && m.height <= e.end_height;
  });
  ASSERT_NE(holding, epochs.end()) << m.height;
  EXPECT_EQ(m.bits, holding->bits);
  ASSERT_TRUE(holding->start_time_unix.has_value());
  EXPECT_EQ(m.epoch_first_block_time_unix, *holding->start_time_unix);
  // The epoch began before the start date.
  EXPECT_LT(day_of_unix_time(m.epoch_first_block_time_unix), cango().run.start_date);
}

// The start height, rebuilt from independent data: the epoch's first height, plus the blocks of the
// retarget day mined after the retarget (the day's DiffMean is the block-weighted mean of the old and
// new difficulty, so the share at the new one is (D_old − DiffMean) / (D_old − D_new)), plus BlkCnt
// of every later day before the start.
TEST_F(BundledCangoMarket, height_is_the_first_block_of_the_start_date) {
  const firm::MarketSetup& m = cango().market;
  const std::vector<Epoch> epochs = read_epochs();
  std::size_t e = 0;
  while (e < epochs.size() && !(epochs[e].start_height <= m.height && m.height <= epochs[e].end_height)) ++e;
  ASSERT_LT(e, epochs.size());
  ASSERT_GT(e, 0u);
  const Epoch& current = epochs[e];
  const Epoch& previous = epochs[e - 1];
  ASSERT_TRUE(current.start_time_unix.has_value());
  const DayNumber retarget_day = day_of_unix_time(*current.start_time_unix);
  const DayNumber start = cango().run.start_date;

  const std::size_t r = index(retarget_day);
  const double share_new = (previous.difficulty - history().difficulty[r]) / (previous.difficulty - current.difficulty);
  ASSERT_GT(share_new, 0.0);
  ASSERT_LT(share_new, 1.0);
  const double after_retarget = share_new * history().block_count[r];
  EXPECT_NEAR(after_retarget, std::round(after_retarget), 0.01) << "a whole number of blocks";

  double later = 0;
  for (DayNumber day = retarget_day + 1; day < start; ++day) {
    const std::size_t i = index(day);
    ASSERT_TRUE(market::is_known(history().block_count[i])) << format_date(day);
    // No other retarget before the start: every later day is mined at the current difficulty.
    EXPECT_NEAR(history().difficulty[i], current.difficulty, 1.0) << format_date(day);
    later += history().block_count[i];
  }
  const auto rebuilt = current.start_height + static_cast<std::int64_t>(std::llround(after_retarget + later));
  EXPECT_EQ(m.height, rebuilt);
}

// ---- Cango's firm, against docs/model.md §7 -------------------------------------------------------------

// "50 EH/s of S19 XP class" (docs/model.md §7) at 21.6 J/TH (Q1 2025 call); lot 1 (32 EH/s) closed
// 2024-11-15, lot 2 (18 EH/s) late June 2025, in service from 2025-07-01; operating hashrate reported
// at 40.91 ... 46.09 EH/s over July-December 2025 (data/cango/cango_monthly_production.csv): the
// fleet fitted to it must lie in that range, at its day-weighted mean 43.88.
TEST(BundledCangoFirm, fleet_is_50_ehs_at_21_6_j_per_th_dated_and_operating_within_the_reported_range) {
  const firm::Scenario& s = cango();
  double deployed_th = 0, operating_th = 0, largest_machine_th = 0, lot2_th = 0;
  for (const firm::FleetEntry& f : s.fleet) {
    const auto machine = std::find_if(s.machines.begin(), s.machines.end(),
                                      [&](const firm::MachineModel& mm) { return mm.name == f.machine; });
    ASSERT_NE(machine, s.machines.end()) << f.machine;
    EXPECT_NEAR(machine->efficiency_j_per_th(), 21.6, 1e-12) << machine->name;
    ASSERT_TRUE(f.in_service.has_value());
    const std::string date = format_date(*f.in_service);
    EXPECT_TRUE(date == "2024-11-15" || date == "2025-07-01") << date;
    if (date == "2025-07-01") lot2_th += static_cast<double>(f.count) * machine->hashrate_th;
    deployed_th += static_cast<double>(f.count) * machine->hashrate_th;
    operating_th += static_cast<double>(f.count) * machine->hashrate_th * f.uptime;
    largest_machine_th = std::max(largest_machine_th, machine->hashrate_th);
  }
  // Whole machines: within one machine per fleet entry of 50 EH/s and of lot 2's 18 EH/s.
  EXPECT_NEAR(deployed_th, 50e6, largest_machine_th * static_cast<double>(s.fleet.size()));
  EXPECT_NEAR(lot2_th, 18e6, largest_machine_th);
  EXPECT_GE(operating_th, 40.91e6);
  EXPECT_LE(operating_th, 46.09e6);
  EXPECT_NEAR(operating_th, 43.88e6, 0.01e6);
}

// Holdings of 7,474 BTC at the end of January 2026 and ~$407.5M of debt (docs/model.md §7): the scenario
// splits them (free and pledged BTC; BTC-backed and other loans) but must keep the totals.
TEST(BundledCangoFirm, free_and_pledged_btc_and_the_debts_add_up_to_the_reported_totals) {
  const firm::Scenario& s = cango();
  double pledged = 0, principal = 0;
  bool btc_backed = false;
  for (const firm::Debt& d : s.debts) {
    pledged += d.collateral_btc;
    principal += d.principal_usd;
    btc_backed = btc_backed || d.kind == firm::DebtKind::kBtcBacked;
  }
  EXPECT_TRUE(btc_backed);
  EXPECT_NEAR(s.treasury.btc + pledged, 7474.0, 1e-9);
  EXPECT_NEAR(principal, 407.5e6, 1.0);
}

// "4,451 BTC on Feb 7-8, 2026 ... repaid part of a BTC-collateralized loan"; "2,000 BTC more sold in
// March 2026 to retire BTC-backed loans" (docs/model.md §7).
TEST(BundledCangoFirm, the_sale_strategy_sells_what_cango_sold_when_it_sold_it) {
  const firm::Scenario& s = cango();
  const auto strategy = std::find_if(s.strategies.begin(), s.strategies.end(),
                                     [](const firm::Strategy& st) { return st.name == "sell_4451_repay_ai"; });
  ASSERT_NE(strategy, s.strategies.end());
  const DayNumber feb7 = *parse_date("2026-02-07"), feb8 = *parse_date("2026-02-08");
  double february = 0, march = 0;
  bool repays_btc_backed = false;
  for (const firm::OneOffSale& sale : strategy->sales) {
    if (sale.date >= feb7 && sale.date <= feb8) february += sale.btc;
    if (format_month(sale.date) == "2026-03") march += sale.btc;
    if (sale.use == firm::SaleUse::kRepayDebt) {
      for (const firm::Debt& d : s.debts)
        repays_btc_backed = repays_btc_backed || (d.name == sale.repay_debt && d.kind == firm::DebtKind::kBtcBacked);
    }
  }
  EXPECT_EQ(february, 4451.0);
  EXPECT_EQ(march, 2000.0);
  EXPECT_TRUE(repays_btc_backed);
  EXPECT_NE(strategy->pivot_policy, firm::PivotPolicy::kNone);  // "to fund AI compute"
}

}  // namespace
}  // namespace hashpivot::io
