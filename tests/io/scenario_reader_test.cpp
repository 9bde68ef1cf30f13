#include "hashpivot/io/scenario_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/plan.hpp"
#include "support/temp_file.hpp"

namespace hashpivot::io {
namespace {

// A small but complete scenario; the figures are arbitrary test inputs, not a calibrated case.
const std::string kValid = R"(
[scenario]
name = "test miner"
start_date = 2026-02-01
horizon_years = 3
paths = 100
seed = 7
discount_rate_annual = 0.12

[market]
calibration = "calibration.toml"
btc_price_usd = 78702.39
fees_btc_per_block = 0.019
network_hashrate_ehs = 866.2
height = 934542
bits = "0x1701fca1"
epoch_first_block_time_unix = 1769110282

[[machines]]
name = "S21"
hashrate_th = 200
power_w = 3500
release_year = 2023

[[sites]]
name = "Texas"
capacity_mw = 10
pue = 1.1
power_price_usd_per_mwh = 45
[sites.conversion]
capex_usd_per_mw = 9.5e6
lead_time_months = 14
lease_usd_per_mw_year = 1.75e6
term_years = 15
noi_margin = 0.85

[[fleet]]
machine = "S21"
site = "Texas"
count = 2500

[treasury]
btc = 100
cash_usd = 5e6
pool_fee = 0.02

[[debt]]
name = "loan"
kind = "btc_backed"
principal_usd = 3e6
rate_annual = 0.09
maturity = 2027-06-30
collateral_btc = 60
ltv_target = 0.5
ltv_call = 0.7
ltv_liquidation = 0.85

[[strategies]]
name = "hold"

[[strategies]]
name = "sell and pivot"
sell = "sell_all_mined"
pivot = "schedule"
pivot_site = "Texas"
pivot_mw = 5
pivot_date = 2026-06-01
[[strategies.sales]]
date = 2026-02-08
btc = 40
use = "repay:loan"
)";

// The scenario `text` in a file, removed when the returned value goes (at the end of the
// statement for `read_scenario(write(text).string())`).
testing::TempFile write(const std::string& text) { return testing::TempFile("scenario_reader_test.toml", text); }

// 1-based line of the first occurrence of `needle` in `text`.
std::size_t line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
}

// Reads the scenario with the first occurrence of `original` replaced, and returns the error as
// "key: problem"; the error's line must be that of `expected_at` in the modified text.
std::string error_with(const std::string& original, const std::string& replacement, const std::string& expected_at) {
  std::string text = kValid;
  const auto at = text.find(original);
  EXPECT_NE(at, std::string::npos) << "not in the scenario: " << original;
  if (at != std::string::npos) text.replace(at, original.size(), replacement);
  const auto path = write(text);
  try {
    (void)read_scenario(path.string());
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), path.string());
    EXPECT_EQ(e.line(), line_of(text, expected_at)) << e.what();
    return e.field() + ": " + e.problem();
  }
  return "no error";
}

TEST(ScenarioReader, reads_a_complete_scenario) {
  const auto s = read_scenario(write(kValid).string());
  EXPECT_EQ(s.run.horizon_years, 3);
  EXPECT_EQ(s.market.bits, 0x1701fca1u);
  EXPECT_EQ(s.market.btc_price_model, firm::PriceModel::kJumpDiffusion);  // the documented default
  ASSERT_EQ(s.sites.size(), 1u);
  ASSERT_TRUE(s.sites[0].conversion.has_value());
  EXPECT_DOUBLE_EQ(s.sites[0].conversion->lease_usd_per_mw_year, 1.75e6);
  EXPECT_DOUBLE_EQ(s.machines[0].efficiency_j_per_th(), 17.5);
  ASSERT_EQ(s.strategies.size(), 2u);
  EXPECT_EQ(s.strategies[1].sales.at(0).use, firm::SaleUse::kRepayDebt);
  EXPECT_EQ(s.strategies[1].sales.at(0).repay_debt, "loan");
  EXPECT_EQ(format_date(*s.strategies[1].pivot_date), "2026-06-01");
}

TEST(ScenarioReader, names_line_and_key_of_each_kind_of_mistake) {
  EXPECT_EQ(error_with("capacity_mw = 10", "capacity_mw = -10", "capacity_mw"),
            "sites[1].capacity_mw: expected a number >= 0, got -10");
  EXPECT_EQ(error_with("pool_fee = 0.02", "pool_fe = 0.02", "pool_fe"),
            "treasury.pool_fe: unknown key (misspelt, or not valid here)");
  EXPECT_EQ(error_with("seed = 7\n", "", "[scenario]"), "scenario.seed: missing field (expected an integer, a number >= 0)");
  EXPECT_EQ(error_with("horizon_years = 3", "horizon_years = \"3\"", "horizon_years"),
            "scenario.horizon_years: expected an integer (a number in [1, 10])");
  EXPECT_EQ(error_with("maturity = 2027-06-30", "maturity = 2025-06-30", "maturity"),
            "debt[1].maturity: matures on 2025-06-30, not after the start date 2026-02-01");
}

TEST(ScenarioReader, checks_references_and_physical_limits) {
  EXPECT_EQ(error_with("site = \"Texas\"", "site = \"Texsa\"", "site = \"Texsa\""),
            "fleet[1].site: no [[sites]] entry is named \"Texsa\"");
  // 3000 × 3.5 kW × 1.1 = 11.55 MW > 10 MW.
  EXPECT_EQ(error_with("count = 2500", "count = 3000", "count = 3000"),
            "fleet[1].count: the fleet at site \"Texas\" would draw 11.55 MW with PUE 1.1, above its capacity of 10 MW");
  EXPECT_EQ(error_with("use = \"repay:loan\"", "use = \"repay:bond\"", "[[strategies.sales]]"),
            "strategies[2].sales: a sale repays \"bond\", but no [[debt]] is named so");
  EXPECT_EQ(error_with("ltv_call = 0.7", "ltv_call = 0.9", "ltv_call"),
            "debt[1].ltv_call: expected ltv_target < ltv_call < ltv_liquidation, got 0.5 / 0.9 / 0.85");
  EXPECT_EQ(error_with("pivot_mw = 5", "pivot_mw = 50", "pivot_mw"),
            "strategies[2].pivot_mw: 50 MW is more than the site's capacity of 10 MW");
}


// ---- Keys added with the covenant and the drift overrides -------------------------------------

// Reads the scenario with `original` replaced (the first occurrence) and returns it.
firm::Scenario read_with(const std::string& original, const std::string& replacement) {
  std::string text = kValid;
  const auto at = text.find(original);
  EXPECT_NE(at, std::string::npos) << "not in the scenario: " << original;
  if (at != std::string::npos) text.replace(at, original.size(), replacement);
  return read_scenario(write(text).string());
}

const std::string kEpochLine = "epoch_first_block_time_unix = 1769110282\n";
const std::string kLoanRate = "rate_annual = 0.09\n";


// Every keyword field: the allowed values (from the enum's keyword table, in its order) and the
// bad value, at the key's line. The texts are those the reader gave when it kept the keywords as
// strings.
TEST(ScenarioReader, a_bad_keyword_names_file_line_key_and_the_allowed_keywords) {
  const std::string epoch = "epoch_first_block_time_unix = 1769110282\n";
  EXPECT_EQ(error_with(epoch, epoch + "btc_price_model = \"gmb\"\n", "btc_price_model"),
            "market.btc_price_model: expected one of \"gbm\", \"jump_diffusion\", \"regime_switching\", "
            "\"block_bootstrap\", got \"gmb\"");
  EXPECT_EQ(error_with(epoch, epoch + "hashrate_model = \"endogenous\"\n", "hashrate_model"),
            "market.hashrate_model: expected one of \"exogenous\", \"margin_driven\", got \"endogenous\"");
  EXPECT_EQ(error_with("pue = 1.1\n", "pue = 1.1\npower_contract = \"spot\"\n", "power_contract"),
            "sites[1].power_contract: expected one of \"fixed\", \"index\", \"pass_through\", got \"spot\"");
  EXPECT_EQ(error_with("kind = \"btc_backed\"", "kind = \"mezzanine\"", "kind"),
            "debt[1].kind: expected one of \"term\", \"btc_backed\", \"convertible\", \"revolver\", got \"mezzanine\"");
  EXPECT_EQ(error_with("kind = \"btc_backed\"\n", "", "[[debt]]"),
            "debt[1].kind: missing field (expected one of \"term\", \"btc_backed\", \"convertible\", \"revolver\")");
  EXPECT_EQ(error_with("rate_annual = 0.09\n", "rate_annual = 0.09\namortization = \"balloon\"\n", "amortization"),
            "debt[1].amortization: expected one of \"bullet\", \"linear\", got \"balloon\"");
  EXPECT_EQ(error_with("sell = \"sell_all_mined\"", "sell = \"sell_some\"", "sell ="),
            "strategies[2].sell: expected one of \"hold\", \"sell_all_mined\", \"sell_fraction\", \"cash_floor\", "
            "got \"sell_some\"");
  EXPECT_EQ(error_with("sell = \"sell_all_mined\"", "sell = \"sell_all_mined\"\ncurtail = \"always\"", "curtail"),
            "strategies[2].curtail: expected one of \"never\", \"economic\", got \"always\"");
  EXPECT_EQ(error_with("pivot = \"schedule\"", "pivot = \"later\"", "pivot = "),
            "strategies[2].pivot: expected one of \"none\", \"schedule\", \"trigger\", got \"later\"");
  for (const char* use : {"repay", "burn", "Cash"})
    EXPECT_EQ(error_with("use = \"repay:loan\"", std::string("use = \"") + use + "\"", "use ="),
              std::string("strategies[2].sales[1].use: expected \"cash\", \"capex\" or \"repay:<debt name>\", got \"") +
                  use + "\"")
        << use;
}

// The keywords parse into their enums; a sale's repay target is the debt's name.
TEST(ScenarioReader, keywords_parse_into_their_values) {
  const auto s = read_with("pue = 1.1\n", "pue = 1.1\npower_contract = \"index\"\n");
  EXPECT_EQ(s.sites[0].power_contract, firm::PowerContract::kIndex);
  EXPECT_EQ(s.debts[0].kind, firm::DebtKind::kBtcBacked);
  EXPECT_EQ(s.debts[0].amortization, firm::Amortization::kBullet);  // the default
  EXPECT_EQ(s.market.hashrate_model, firm::HashrateModel::kExogenous);
  EXPECT_EQ(s.strategies[0].sell_policy, firm::SellPolicy::kHold);
  EXPECT_EQ(s.strategies[0].pivot_policy, firm::PivotPolicy::kNone);
  EXPECT_EQ(s.strategies[1].sell_policy, firm::SellPolicy::kSellAllMined);
  EXPECT_EQ(s.strategies[1].curtail_policy, firm::CurtailPolicy::kNever);
  EXPECT_EQ(s.strategies[1].pivot_policy, firm::PivotPolicy::kSchedule);
  const auto capex = read_with("use = \"repay:loan\"", "use = \"capex\"");
  EXPECT_EQ(capex.strategies[1].sales[0].use, firm::SaleUse::kCapex);
  EXPECT_TRUE(capex.strategies[1].sales[0].repay_debt.empty());
  const auto linear = read_with("rate_annual = 0.09\n", "rate_annual = 0.09\namortization = \"linear\"\n");
  EXPECT_EQ(linear.debts[0].amortization, firm::Amortization::kLinear);
}

// docs/scenario.md lists every keyword of every table (as `keyword`), so the reference cannot miss
// one that the reader accepts.
template <class E>
void expect_documented(const std::string& doc) {
  for (const firm::Keyword<E>& k : firm::keywords(E{}))
    EXPECT_NE(doc.find("`" + std::string(k.keyword)), std::string::npos) << k.keyword;
}

TEST(ScenarioReader, docs_list_every_keyword) {
  std::ifstream in(std::filesystem::path(HASHPIVOT_SCENARIOS_DIR) / ".." / "docs" / "scenario.md");
  ASSERT_TRUE(in) << "docs/scenario.md";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  expect_documented<firm::PriceModel>(doc);
  expect_documented<firm::HashrateModel>(doc);
  expect_documented<firm::PowerContract>(doc);
  expect_documented<firm::DebtKind>(doc);
  expect_documented<firm::Amortization>(doc);
  expect_documented<firm::SellPolicy>(doc);
  expect_documented<firm::CurtailPolicy>(doc);
  expect_documented<firm::PivotPolicy>(doc);
  expect_documented<firm::SaleUse>(doc);
  expect_documented<firm::PoolScheme>(doc);
  expect_documented<firm::PoolOperator>(doc);
  expect_documented<firm::ConversionTerminal>(doc);
}

TEST(ScenarioReader, the_drift_overrides_are_optional_and_read_when_given) {
  const auto absent = read_scenario(write(kValid).string());
  EXPECT_FALSE(absent.market.btc_price_drift_annual.has_value());
  EXPECT_FALSE(absent.market.hashrate_drift_annual.has_value());
  EXPECT_TRUE(absent.market.history_file.empty());
  const auto given =
      read_with(kEpochLine, kEpochLine + "btc_price_drift_annual = -0.25\nhashrate_drift_annual = 0.3\n");
  ASSERT_TRUE(given.market.btc_price_drift_annual.has_value());
  ASSERT_TRUE(given.market.hashrate_drift_annual.has_value());
  EXPECT_DOUBLE_EQ(*given.market.btc_price_drift_annual, -0.25);
  EXPECT_DOUBLE_EQ(*given.market.hashrate_drift_annual, 0.3);
  // The ends of the documented range [-2, 2] are accepted.
  const auto ends = read_with(kEpochLine, kEpochLine + "btc_price_drift_annual = -2\nhashrate_drift_annual = 2\n");
  EXPECT_DOUBLE_EQ(*ends.market.btc_price_drift_annual, -2.0);
  EXPECT_DOUBLE_EQ(*ends.market.hashrate_drift_annual, 2.0);
}

TEST(ScenarioReader, the_network_supply_share_is_optional_and_read_in_its_range) {
  EXPECT_FALSE(read_scenario(write(kValid).string()).market.network_supply_share_annual.has_value());
  const std::string margin = kEpochLine + "hashrate_model = \"margin_driven\"\n";
  const auto given = read_with(kEpochLine, margin + "network_supply_share_annual = 0.5\n");
  ASSERT_TRUE(given.market.network_supply_share_annual.has_value());
  EXPECT_DOUBLE_EQ(*given.market.network_supply_share_annual, 0.5);
  EXPECT_DOUBLE_EQ(*read_with(kEpochLine, margin + "network_supply_share_annual = 0\n").market.network_supply_share_annual, 0.0);
  EXPECT_DOUBLE_EQ(*read_with(kEpochLine, margin + "network_supply_share_annual = 5\n").market.network_supply_share_annual, 5.0);
  EXPECT_EQ(error_with(kEpochLine, margin + "network_supply_share_annual = -0.1\n", "network_supply_share_annual"),
            "market.network_supply_share_annual: expected a number in [0, 5], got -0.1");
}

// Each network model's growth key is refused on the other, at the key's line (the model would
// ignore it: a view the run would silently not take).
TEST(ScenarioReader, a_growth_key_of_the_other_network_model_is_refused_at_its_line) {
  EXPECT_EQ(error_with(kEpochLine, kEpochLine + "network_supply_share_annual = 0.5\n", "network_supply_share_annual"),
            "market.network_supply_share_annual: applies to the margin-driven hashrate model only: the exogenous "
            "network's growth is hashrate_drift_annual");
  EXPECT_EQ(error_with(kEpochLine, kEpochLine + "hashrate_model = \"margin_driven\"\nhashrate_drift_annual = 0.1\n",
                       "hashrate_drift_annual"),
            "market.hashrate_drift_annual: applies to the exogenous hashrate model only: the margin-driven network's "
            "growth follows from the hashprice and the fleet's costs (its capacity is network_supply_share_annual)");
}

TEST(ScenarioReader, a_drift_out_of_range_names_file_line_and_key) {
  EXPECT_EQ(error_with(kEpochLine, kEpochLine + "btc_price_drift_annual = 2.5\n", "btc_price_drift_annual"),
            "market.btc_price_drift_annual: expected a number in [-2, 2], got 2.5");
  EXPECT_EQ(error_with(kEpochLine, kEpochLine + "hashrate_drift_annual = -3\n", "hashrate_drift_annual"),
            "market.hashrate_drift_annual: expected a number in [-2, 2], got -3");
  EXPECT_EQ(error_with(kEpochLine, kEpochLine + "hashrate_drift_annual = \"0.1\"\n", "hashrate_drift_annual"),
            "market.hashrate_drift_annual: expected a number in [-2, 2], got a string");
}

TEST(ScenarioReader, block_bootstrap_requires_its_history_and_no_other_model_takes_one) {
  const std::string bootstrap = kEpochLine + "btc_price_model = \"block_bootstrap\"\n";
  const auto with_history = read_with(kEpochLine, bootstrap + "history = \"history.csv\"\n");
  EXPECT_EQ(with_history.market.btc_price_model, firm::PriceModel::kBlockBootstrap);
  EXPECT_EQ(with_history.market.history_file, "history.csv");
  // Missing: reported at the [market] table's line.
  EXPECT_EQ(error_with(kEpochLine, bootstrap, "[market]"), "market.history: missing field (expected a string)");
  EXPECT_EQ(error_with(kEpochLine, bootstrap + "history = 7\n", "history = 7"),
            "market.history: expected a string in quotes");
  // With another price model nobody reads it: an unknown key, not silently ignored.
  EXPECT_EQ(error_with(kEpochLine, kEpochLine + "btc_price_model = \"gbm\"\nhistory = \"history.csv\"\n", "history ="),
            "market.history: unknown key (misspelt, or not valid here)");
}

TEST(ScenarioReader, the_minimum_cash_covenant_is_read_on_any_debt_and_defaults_to_none) {
  const auto absent = read_scenario(write(kValid).string());
  ASSERT_EQ(absent.debts.size(), 1u);
  EXPECT_EQ(absent.debts[0].covenant_min_cash_usd, 0.0);
  const auto given = read_with(kLoanRate, kLoanRate + "covenant_min_cash_usd = 2.5e6\n");
  EXPECT_DOUBLE_EQ(given.debts[0].covenant_min_cash_usd, 2.5e6);
  // A term loan takes it too: the key is read for every kind.
  const auto term = read_with(
      "kind = \"btc_backed\"\nprincipal_usd = 3e6\nrate_annual = 0.09\nmaturity = 2027-06-30\ncollateral_btc = 60\n"
      "ltv_target = 0.5\nltv_call = 0.7\nltv_liquidation = 0.85\n",
      "kind = \"term\"\nprincipal_usd = 3e6\nrate_annual = 0.09\nmaturity = 2027-06-30\ncovenant_min_cash_usd = 1e6\n");
  ASSERT_EQ(term.debts.size(), 1u);
  EXPECT_EQ(term.debts[0].kind, firm::DebtKind::kTerm);
  EXPECT_DOUBLE_EQ(term.debts[0].covenant_min_cash_usd, 1e6);
}

TEST(ScenarioReader, a_negative_covenant_names_file_line_and_key) {
  EXPECT_EQ(error_with(kLoanRate, kLoanRate + "covenant_min_cash_usd = -1\n", "covenant_min_cash_usd"),
            "debt[1].covenant_min_cash_usd: expected a number >= 0, got -1");
  EXPECT_EQ(error_with(kLoanRate, kLoanRate + "covenant_min_cash_usd = \"5M\"\n", "covenant_min_cash_usd"),
            "debt[1].covenant_min_cash_usd: expected a number >= 0, got a string");
}

// ---- [sites.conversion] project finance -----------------------------------------------------------

const std::string kNoiMargin = "noi_margin = 0.85\n";

TEST(ScenarioReader, project_finance_defaults_to_an_equity_funded_conversion_under_the_multiple) {
  const auto s = read_scenario(write(kValid).string());
  const firm::Conversion& c = *s.sites[0].conversion;
  EXPECT_EQ(c.project_debt_loan_to_cost, 0.0);
  EXPECT_EQ(c.project_debt_rate_annual, 0.0);
  EXPECT_EQ(c.terminal_value, firm::ConversionTerminal::kEbitdaMultiple);
  EXPECT_EQ(c.residual_value_usd_per_mw, 0.0);
  EXPECT_FALSE(c.lease_discount_rate_annual.has_value());
  const auto financed = read_with(kNoiMargin, kNoiMargin +
                                                  "project_debt_loan_to_cost = 0.85\n"
                                                  "project_debt_rate_annual = 0.0775\n"
                                                  "terminal_value = \"contracted_lease\"\n"
                                                  "residual_value_usd_per_mw = 2e6\n"
                                                  "lease_discount_rate_annual = 0.08\n");
  const firm::Conversion& f = *financed.sites[0].conversion;
  EXPECT_EQ(f.project_debt_loan_to_cost, 0.85);
  EXPECT_EQ(f.project_debt_rate_annual, 0.0775);
  EXPECT_EQ(f.terminal_value, firm::ConversionTerminal::kContractedLease);
  EXPECT_EQ(f.residual_value_usd_per_mw, 2e6);
  EXPECT_EQ(f.lease_discount_rate_annual, 0.08);
}

TEST(ScenarioReader, bad_project_finance_terms_name_file_line_and_key) {
  EXPECT_EQ(error_with(kNoiMargin, kNoiMargin + "project_debt_loan_to_cost = 1.2\n", "project_debt_loan_to_cost"),
            "sites[1].conversion.project_debt_loan_to_cost: expected a number in [0, 1], got 1.2");
  EXPECT_EQ(error_with(kNoiMargin, kNoiMargin + "project_debt_rate_annual = -0.01\n", "project_debt_rate_annual"),
            "sites[1].conversion.project_debt_rate_annual: expected a number >= 0, got -0.01");
  EXPECT_EQ(error_with("term_years = 15", "term_years = -1", "term_years"),
            "sites[1].conversion.term_years: expected a number in [1, 50], got -1");
  EXPECT_EQ(error_with(kNoiMargin, kNoiMargin + "residual_value_usd_per_mw = -5\n", "residual_value_usd_per_mw"),
            "sites[1].conversion.residual_value_usd_per_mw: expected a number >= 0, got -5");
  EXPECT_EQ(error_with(kNoiMargin, kNoiMargin + "terminal_value = \"multiple\"\n", "terminal_value"),
            "sites[1].conversion.terminal_value: expected one of \"ebitda_multiple\", \"contracted_lease\", got "
            "\"multiple\"");
}

const std::string kPoolFee = "pool_fee = 0.02\n";

// ---- [pool] ---------------------------------------------------------------------------------------

TEST(ScenarioReader, the_pool_is_fpps_without_its_table_and_an_operator_sets_the_fee) {
  const auto absent = read_scenario(write(kValid).string());
  EXPECT_EQ(absent.pool.scheme, firm::PoolScheme::kFpps);
  EXPECT_DOUBLE_EQ(absent.treasury.pool_fee, 0.02);
  const auto pplns = read_with(kPoolFee, "\n[pool]\nscheme = \"pplns\"\noperator = \"f2pool\"\nshare_of_network = 0.1\n");
  EXPECT_EQ(pplns.pool.scheme, firm::PoolScheme::kPplns);
  EXPECT_DOUBLE_EQ(pplns.treasury.pool_fee, 0.04);
  EXPECT_DOUBLE_EQ(pplns.pool.share_of_network, 0.1);
  EXPECT_EQ(pplns.pool.window_days, 1);
  const auto tides = read_with(
      kPoolFee, "\n[pool]\nscheme = \"tides\"\nfee = 0.01\npool_hashrate_ehs = 20\nwindow_days = 3\n");
  EXPECT_EQ(tides.pool.scheme, firm::PoolScheme::kTides);
  EXPECT_DOUBLE_EQ(tides.treasury.pool_fee, 0.01);
  EXPECT_DOUBLE_EQ(tides.pool.hashrate_ehs, 20);
  EXPECT_EQ(tides.pool.window_days, 3);
}

TEST(ScenarioReader, a_pool_without_its_size_or_with_two_fees_names_file_line_and_key) {
  EXPECT_EQ(error_with(kPoolFee, "\n[pool]\nscheme = \"pplns\"\n", "scheme"),
            "pool.scheme: \"pplns\" pays by the blocks the pool finds: give share_of_network or pool_hashrate_ehs");
  EXPECT_EQ(error_with(kPoolFee, kPoolFee + "\n[pool]\nfee = 0.01\n", "fee = 0.01"),
            "pool.fee: the pool fee is given twice: here and as treasury.pool_fee; keep one");
  EXPECT_EQ(error_with(kPoolFee, "\n[pool]\nfee = -0.01\n", "fee = -0.01"),
            "pool.fee: expected a number in [0, 0.1], got -0.01");
  EXPECT_EQ(error_with(kPoolFee, "\n[pool]\nshare_of_network = 0.1\npool_hashrate_ehs = 5\n", "pool_hashrate_ehs"),
            "pool.pool_hashrate_ehs: give the pool's size once: share_of_network or pool_hashrate_ehs, not both");
  EXPECT_EQ(error_with(kPoolFee, "\n[pool]\nscheme = \"pps\"\n", "scheme"),
            "pool.scheme: expected one of \"fpps\", \"pplns\", \"tides\", got \"pps\"");
}

// ---- [[strategies.refresh]] -----------------------------------------------------------------------

const std::string kHold = "name = \"hold\"\n";
const std::string kRefresh =
    "[[strategies.refresh]]\ndate = 2026-06-01\nmachine = \"S21\"\ncount = 2500\nreplaces = \"S21\"\n"
    "lead_time_days = 90\ndeposit_fraction = 0.3\n";

TEST(ScenarioReader, a_refresh_resolves_its_site_price_and_what_it_replaces) {
  const auto s = read_with(kHold, kHold + kRefresh);
  ASSERT_EQ(s.strategies[0].refreshes.size(), 1u);
  const firm::Refresh& r = s.strategies[0].refreshes[0];
  EXPECT_EQ(r.site, "Texas");  // the only site; the S21s it replaces free their 9.625 MW
  EXPECT_EQ(r.count, 2500);
  EXPECT_EQ(r.lead_time_days, 90);
  EXPECT_DOUBLE_EQ(r.deposit_fraction, 0.3);
  EXPECT_DOUBLE_EQ(r.usd_per_th, 7.5);           // 17.5 J/TH: the sourced tier below 25 J/TH
  EXPECT_DOUBLE_EQ(r.replaced_usd_per_th, 7.5);
  // 0.5 EH/s of S21 = 2,500 machines.
  const auto by_hashrate = read_with(kHold, kHold + std::string(kRefresh).replace(kRefresh.find("count = 2500"), 12,
                                                                                   "hashrate_ehs = 0.5"));
  EXPECT_EQ(by_hashrate.strategies[0].refreshes[0].count, 2500);
}

TEST(ScenarioReader, sell_displaced_needs_a_pivot_and_is_read_with_one) {
  EXPECT_EQ(error_with(kHold, kHold + "sell_displaced = true\n", "sell_displaced"),
            "strategies[1].sell_displaced: sells the machines a pivot displaces, and this strategy has no pivot");
  const auto s = read_with("pivot_mw = 5\n", "pivot_mw = 5\nsell_displaced = true\n");
  EXPECT_TRUE(s.strategies[1].sell_displaced);
  EXPECT_FALSE(s.strategies[0].sell_displaced);
  EXPECT_DOUBLE_EQ(s.machines[0].tier_usd_per_th, 7.5);  // S21, 17.5 J/TH
}

TEST(ScenarioReader, a_refresh_without_room_or_a_price_tier_names_file_line_and_key) {
  std::string no_room = kRefresh;
  no_room.replace(no_room.find("replaces = \"S21\"\n"), 17, "");
  EXPECT_EQ(error_with(kHold, kHold + no_room, "count = 2500\nlead"),
            "strategies[1].refresh[1].count: no site has free capacity for 2500 S21 (8.75 MW of IT)");
  EXPECT_EQ(error_with(kHold, kHold + no_room + "site = \"Texas\"\n", "count = 2500\nlead"),
            "strategies[1].refresh[1].count: site \"Texas\" has 0.38 MW free, and 2500 S21 draw 9.62 MW with PUE 1.1");
  std::string outside = kRefresh;
  outside.replace(outside.find("2026-06-01"), 10, "2030-06-01");
  EXPECT_EQ(error_with(kHold, kHold + outside, "date = 2030"),
            "strategies[1].refresh[1].date: 2030-06-01 lies outside the horizon 2026-02-01 to 2029-01-31");
  // An S9 (98 J/TH) is in the tier above 68 J/TH, which has no price.
  std::string text = kValid;
  text.replace(text.find("[[sites]]"), 9,
               "[[machines]]\nname = \"S9\"\nhashrate_th = 13.5\npower_w = 1323\nrelease_year = 2016\n\n[[sites]]");
  std::string s9 = no_room;
  s9.replace(s9.find("machine = \"S21\""), 15, "machine = \"S9\"");
  s9.replace(s9.find("count = 2500"), 12, "count = 10");
  text.replace(text.find(kHold), kHold.size(), kHold + s9);
  const auto path = write(text);
  try {
    (void)read_scenario(path.string());
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), line_of(text, "machine = \"S9\""));
    EXPECT_EQ(e.field() + ": " + e.problem(),
              "strategies[1].refresh[1].machine: \"S9\" draws 98 J/TH, in the ASIC price tier above_68_j_per_th, "
              "which has no price (market/asic_price.hpp: only the tier below 25 J/TH is sourced)");
  }
}

// ---- [market_impact] ----------------------------------------------------------------------------

TEST(ScenarioReader, market_impact_is_off_without_its_table_and_takes_the_sourced_defaults_with_it) {
  const auto absent = read_scenario(write(kValid).string());
  EXPECT_EQ(absent.market_impact.coefficient, 0.0);
  const auto defaults = read_with(kPoolFee, kPoolFee + "\n[market_impact]\n");
  EXPECT_DOUBLE_EQ(defaults.market_impact.coefficient, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(defaults.market_impact.daily_volatility, 0.0235);
  EXPECT_DOUBLE_EQ(defaults.market_impact.daily_volume_btc, 100'000);
  const auto given = read_with(
      kPoolFee, kPoolFee + "\n[market_impact]\ncoefficient = 0.5\ndaily_volatility = 0.03\ndaily_volume_btc = 5e4\n");
  EXPECT_DOUBLE_EQ(given.market_impact.coefficient, 0.5);
  EXPECT_DOUBLE_EQ(given.market_impact.daily_volatility, 0.03);
  EXPECT_DOUBLE_EQ(given.market_impact.daily_volume_btc, 5e4);
}

TEST(ScenarioReader, a_negative_market_impact_value_names_file_line_and_key) {
  EXPECT_EQ(error_with(kPoolFee, kPoolFee + "\n[market_impact]\ncoefficient = -0.1\n", "coefficient"),
            "market_impact.coefficient: expected a number in [0, 10], got -0.1");
  EXPECT_EQ(error_with(kPoolFee, kPoolFee + "\n[market_impact]\ndaily_volatility = -0.02\n", "daily_volatility"),
            "market_impact.daily_volatility: expected a number in [0, 1], got -0.02");
  EXPECT_EQ(error_with(kPoolFee, kPoolFee + "\n[market_impact]\ndaily_volume_btc = -1\n", "daily_volume_btc"),
            "market_impact.daily_volume_btc: expected a number > 0, got -1");
}

// ---- [debt.refinance] and a strategy's refinance ------------------------------------------------

const std::string kLoanLtv = "ltv_liquidation = 0.85\n";
const std::string kRefinance = "[debt.refinance]\nrate_annual = 0.09\ntenor_days = 364\nmax_ltv = 0.6\n";

TEST(ScenarioReader, refinancing_terms_take_their_defaults_and_a_strategy_opts_in) {
  const auto absent = read_scenario(write(kValid).string());
  EXPECT_FALSE(absent.debts[0].refinance.has_value());
  EXPECT_FALSE(absent.strategies[0].refinance);
  std::string text = kValid;
  text.replace(text.find(kLoanLtv), kLoanLtv.size(), kLoanLtv + kRefinance);
  text.replace(text.find("name = \"hold\"\n"), 14, "name = \"hold\"\nrefinance = true\n");
  const auto s = read_scenario(write(text).string());
  ASSERT_TRUE(s.debts[0].refinance.has_value());
  const firm::Refinancing& r = *s.debts[0].refinance;
  EXPECT_EQ(r.rate_annual, 0.09);
  EXPECT_EQ(r.tenor_days, 364);
  EXPECT_EQ(r.max_ltv, 0.6);
  EXPECT_EQ(r.min_interest_coverage, 0.0);
  EXPECT_EQ(r.fee_fraction, 0.0);
  EXPECT_EQ(r.max_rolls, 1);
  EXPECT_TRUE(s.strategies[0].refinance);
  EXPECT_FALSE(s.strategies[1].refinance);
}

TEST(ScenarioReader, bad_refinancing_terms_name_file_line_and_key) {
  EXPECT_EQ(error_with(kLoanLtv, kLoanLtv + "[debt.refinance]\nrate_annual = 0.09\ntenor_days = 364\nmax_ltv = 0.75\n",
                       "max_ltv = 0.75"),
            "debt[1].refinance.max_ltv: a roll at LTV 0.75 would be margin-called at once: it must be at most "
            "ltv_call (0.7)");
  EXPECT_EQ(error_with(kLoanLtv, kLoanLtv + "[debt.refinance]\nrate_annual = 0.09\ntenor_days = 0\nmax_ltv = 0.6\n",
                       "tenor_days = 0"),
            "debt[1].refinance.tenor_days: expected a number in [1, 3660], got 0");
  EXPECT_EQ(error_with(kLoanLtv, kLoanLtv + kRefinance + "fee_fraction = -0.01\n", "fee_fraction"),
            "debt[1].refinance.fee_fraction: expected a number in [0, 1), got -0.01");
  EXPECT_EQ(error_with("name = \"hold\"\n", "name = \"hold\"\nrefinance = true\n", "refinance = true"),
            "strategies[1].refinance: rolls debts that have [debt.refinance] terms, and no [[debt]] has them");
}

// [strategies.pivot_finance] replaces the pivot site's financing terms in that strategy's plan only.
TEST(ScenarioReader, a_strategys_pivot_finance_replaces_the_sites_terms_in_its_plan_only) {
  const auto s = read_with("pivot_date = 2026-06-01\n",
                           "pivot_date = 2026-06-01\n[strategies.pivot_finance]\ntenant_funded_fraction = 0.25\n"
                           "project_debt_loan_to_cost = 0.85\nproject_debt_rate_annual = 0.0775\n");
  EXPECT_EQ(s.strategies[1].pivot_tenant_funded_fraction, 0.25);
  EXPECT_EQ(s.strategies[1].pivot_project_debt_loan_to_cost, 0.85);
  EXPECT_EQ(s.strategies[1].pivot_project_debt_rate_annual, 0.0775);
  const firm::FirmPlan financed = firm::make_plan(s, 1);
  EXPECT_EQ(financed.sites[0].tenant_funded_fraction, 0.25);
  EXPECT_EQ(financed.sites[0].project_debt_loan_to_cost, 0.85);
  EXPECT_EQ(financed.sites[0].project_debt_rate_annual, 0.0775);
  const firm::FirmPlan plain = firm::make_plan(s, 0);
  EXPECT_EQ(plain.sites[0].tenant_funded_fraction, 0.0);
  EXPECT_EQ(plain.sites[0].project_debt_loan_to_cost, 0.0);
  EXPECT_EQ(error_with("name = \"hold\"\n", "name = \"hold\"\n[strategies.pivot_finance]\nproject_debt_loan_to_cost = 0.5\n",
                       "[strategies.pivot_finance]"),
            "strategies[1].pivot_finance.tenant_funded_fraction: finances a conversion, and this strategy has no pivot");
}

// ---- [strategies.search]: the ranges `hashpivot optimize` searches -----------------------------

const std::string kPivotDate = "pivot_date = 2026-06-01\n";

TEST(ScenarioReader, reads_the_declared_search_ranges_in_parameter_order) {
  const auto absent = read_scenario(write(kValid).string());
  EXPECT_TRUE(absent.strategies[1].search.empty());
  const auto given = read_with(kPivotDate, kPivotDate + "[strategies.search]\npivot_mw = { low = 1, high = 10 }\n"
                                                        "sale_btc = { low = 5, high = 90 }\n");
  const auto& search = given.strategies[1].search;
  ASSERT_EQ(search.size(), 2u);
  EXPECT_EQ(search[0].parameter, "sale_btc");  // firm::strategy_parameters() order, not the file's
  EXPECT_DOUBLE_EQ(search[0].low, 5);
  EXPECT_DOUBLE_EQ(search[0].high, 90);
  EXPECT_EQ(search[1].parameter, "pivot_mw");
  EXPECT_DOUBLE_EQ(search[1].low, 1);
  EXPECT_DOUBLE_EQ(search[1].high, 10);  // the site's whole capacity is a valid end
}

TEST(ScenarioReader, a_search_range_with_low_not_below_high_names_file_line_and_key) {
  const std::string bad = kPivotDate + "[strategies.search]\npivot_mw = { low = 6, high = 6 }\n";
  EXPECT_EQ(error_with(kPivotDate, bad, "pivot_mw = { low = 6"),
            "strategies[2].search.pivot_mw.low: expected low < high, got low 6 and high 6");
  const std::string reversed = kPivotDate + "[strategies.search]\npivot_mw = { low = 8, high = 2 }\n";
  EXPECT_EQ(error_with(kPivotDate, reversed, "pivot_mw = { low = 8"),
            "strategies[2].search.pivot_mw.low: expected low < high, got low 8 and high 2");
}

TEST(ScenarioReader, a_search_range_for_an_unknown_or_unused_parameter_names_file_line_and_key) {
  EXPECT_EQ(error_with(kPivotDate, kPivotDate + "[strategies.search]\npivot_megawatts = { low = 1, high = 2 }\n",
                       "pivot_megawatts"),
            "strategies[2].search.pivot_megawatts: unknown key (misspelt, or not valid here)");
  // A real parameter that this strategy's policies do not use (it sells all mined, not a fraction).
  const std::string unused = error_with(kPivotDate, kPivotDate + "[strategies.search]\nsell_fraction = { low = 0, high = 1 }\n",
                                        "sell_fraction = {");
  EXPECT_EQ(unused.rfind("strategies[2].search.sell_fraction: strategy parameter sell_fraction: strategy \"sell and pivot\" "
                         "does not use it", 0), 0u) << unused;
}

TEST(ScenarioReader, a_search_range_outside_the_parameters_valid_range_names_file_line_and_key) {
  // The site has 10 MW: pivot_mw is valid in (0, 10].
  EXPECT_EQ(error_with(kPivotDate, kPivotDate + "[strategies.search]\npivot_mw = { low = 1, high = 12 }\n", "pivot_mw = {"),
            "strategies[2].search.pivot_mw: strategy parameter pivot_mw: 12 is outside (0, 10]");
  // A 3-year horizon from 2026-02-01 has days 0-1095: day 2000 is past it.
  EXPECT_EQ(error_with(kPivotDate, kPivotDate + "[strategies.search]\npivot_day = { low = 0, high = 2000 }\n", "pivot_day = {"),
            "strategies[2].search.pivot_day: strategy parameter pivot_day: 2000 is outside [0, 1095]");
  EXPECT_EQ(error_with(kPivotDate, kPivotDate + "[strategies.search]\nsale_btc = { low = 0, high = 50 }\n", "sale_btc = {"),
            "strategies[2].search.sale_btc: strategy parameter sale_btc: 0 is outside (0, 21000000]");
}

}  // namespace
}  // namespace hashpivot::io

namespace hashpivot::io {
namespace {

// Power contracts and the dated fleet: each bad input names file, line and key, and nothing runs.
TEST(ScenarioReader, a_power_contract_whose_shares_do_not_add_up_names_file_line_and_key) {
  EXPECT_EQ(error_with("power_price_usd_per_mwh = 45\n", "power_price_usd_per_mwh = 45\nfixed_share = 0.25\nenergy_share = 0.5\n",
                       "energy_share"),
            "sites[1].energy_share: fixed_share 0.25 + energy_share 0.5 = 0.75: the shares of the all-in price must add "
            "up to 1");
  EXPECT_EQ(error_with("power_price_usd_per_mwh = 45\n",
                       "power_price_usd_per_mwh = 45\npower_contract = \"index\"\nfixed_share = 0.25\n", "fixed_share"),
            "sites[1].fixed_share: a share of the all-in price needs power_contract = \"fixed\"; an index contract's fixed "
            "part is hosting_fee_usd_per_kw_month or take_or_pay_fraction");
  EXPECT_EQ(error_with("power_price_usd_per_mwh = 45\n", "power_price_usd_per_mwh = 45\nenergy_margin_usd_per_mwh = 3\n",
                       "energy_margin_usd_per_mwh"),
            "sites[1].energy_margin_usd_per_mwh: a margin over the index needs power_contract = \"pass_through\"");
  EXPECT_EQ(error_with("power_price_usd_per_mwh = 45\n", "power_price_usd_per_mwh = 45\ntake_or_pay_fraction = 1.5\n",
                       "take_or_pay_fraction"),
            "sites[1].take_or_pay_fraction: expected a number in [0, 1], got 1.5");
  // Shares that add up are read: energy_share alone sets the fixed share.
  const std::string split = "power_price_usd_per_mwh = 45\nenergy_share = 0.75\n";
  std::string text = kValid;
  text.replace(text.find("power_price_usd_per_mwh = 45\n"), 29, split);
  EXPECT_DOUBLE_EQ(read_scenario(write(text).string()).sites[0].fixed_share, 0.25);
}

const std::string kSecondLot = "count = 2500\n\n[[fleet]]\nmachine = \"S21\"\nsite = \"Texas\"\ncount = 200\n";

TEST(ScenarioReader, a_deployment_to_a_site_without_capacity_names_file_line_and_key) {
  // 2,700 S21 at 3.5 kW × PUE 1.1 = 10.395 MW (printed 10.39: binary rounding) > 10 MW from the second lot's in-service date.
  EXPECT_EQ(error_with("count = 2500\n", kSecondLot + "in_service = 2026-07-01\n", "in_service = 2026-07-01"),
            "fleet[2].in_service: the fleet at site \"Texas\" would draw 10.39 MW with PUE 1.1 on 2026-07-01, above its "
            "capacity of 10 MW");
  // The same lot replacing the first one's machines as they retire fits.
  std::string text = kValid;
  text.replace(text.find("count = 2500\n"), 13, "count = 2500\nretire = 2026-07-01\n" + kSecondLot.substr(13) +
                                                     "in_service = 2026-07-01\n");
  EXPECT_EQ(read_scenario(write(text).string()).fleet.size(), 2u);
}

TEST(ScenarioReader, a_fleet_or_downtime_date_outside_the_horizon_names_file_line_and_key) {
  // The horizon: 2026-02-01 + 3 × 365 days = 2029-01-31.
  EXPECT_EQ(error_with("count = 2500\n", "count = 2500\nin_service = 2029-03-01\n", "in_service"),
            "fleet[1].in_service: 2029-03-01 lies after the horizon, which ends on 2029-01-31");
  EXPECT_EQ(error_with("count = 2500\n", "count = 2500\nin_service = 2026-05-01\nretire = 2026-04-01\n", "retire"),
            "fleet[1].retire: 2026-04-01 is not after in_service 2026-05-01");
  const std::string downtime = "count = 2500\n\n[[downtime]]\nsite = \"Texas\"\nfrom = 2026-03-01\n";
  EXPECT_EQ(error_with("count = 2500\n", downtime + "to = 2029-02-10\nfraction_offline = 0.5\n", "to = 2029"),
            "downtime[1].to: 2029-02-10 lies after the horizon, which ends on 2029-01-31");
  EXPECT_EQ(error_with("count = 2500\n", downtime + "to = 2026-02-10\nfraction_offline = 0.5\n", "to = 2026"),
            "downtime[1].to: 2026-02-10 is before from 2026-03-01");
  EXPECT_EQ(error_with("count = 2500\n", "count = 2500\n\n[[downtime]]\nsite = \"Ohio\"\nfrom = 2026-03-01\nto = "
                                          "2026-03-02\nfraction_offline = 0.5\n",
                       "site = \"Ohio\""),
            "downtime[1].site: no [[sites]] entry is named \"Ohio\" (or write \"all\")");
  EXPECT_EQ(error_with("count = 2500\n", downtime + "to = 2026-03-02\nfraction_offline = 1.5\n", "fraction_offline"),
            "downtime[1].fraction_offline: expected a number in (0, 1], got 1.5");
  // Dates before the start are history, for the backtest: read.
  std::string text = kValid;
  text.replace(text.find("count = 2500\n"), 13, "count = 2500\nin_service = 2024-11-15\n");
  EXPECT_EQ(format_date(*read_scenario(write(text).string()).fleet[0].in_service), "2024-11-15");
}

}  // namespace
}  // namespace hashpivot::io

namespace hashpivot::io {
namespace {

// ---- Deployment capex and relocation ([[fleet]] capex_usd, relocate) ---------------------------

const std::string kGeorgia =
    "[[sites]]\nname = \"Georgia\"\ncapacity_mw = 12\npue = 1.2\npower_price_usd_per_mwh = 30\n\n[[fleet]]\n";

std::string with_georgia(const std::string& relocate_line, double georgia_mw = 12) {
  std::string text = kValid;
  std::string site = kGeorgia;
  site.replace(site.find("capacity_mw = 12"), 16, "capacity_mw = " + std::to_string(static_cast<int>(georgia_mw)));
  text.replace(text.find("[[fleet]]\n"), 10, site);
  text.replace(text.find("count = 2500\n"), 13, "count = 2500\n" + relocate_line);
  return text;
}

// The error of reading `text` as "key: problem", its line that of `expected_at`.
std::string error_of(const std::string& text, const std::string& expected_at) {
  const auto path = write(text);
  try {
    (void)read_scenario(path.string());
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), line_of(text, expected_at)) << e.what();
    return e.field() + ": " + e.problem();
  }
  return "no error";
}

TEST(ScenarioReader, a_deployment_capex_is_read_with_its_in_service_date_and_refused_without) {
  const firm::Scenario s = read_with("count = 2500\n", "count = 2500\nin_service = 2026-05-01\ncapex_usd = 4.5e6\n");
  EXPECT_DOUBLE_EQ(s.fleet[0].capex_usd, 4.5e6);
  EXPECT_DOUBLE_EQ(read_scenario(write(kValid).string()).fleet[0].capex_usd, 0.0);
  EXPECT_EQ(error_with("count = 2500\n", "count = 2500\ncapex_usd = 4.5e6\n", "capex_usd = "),
            "fleet[1].capex_usd: a deployment's capex needs an in_service date (the day it is paid)");
  EXPECT_EQ(error_with("count = 2500\n", "count = 2500\nin_service = 2026-05-01\ncapex_usd = -1\n", "capex_usd = "),
            "fleet[1].capex_usd: expected a number >= 0, got -1");
}

TEST(ScenarioReader, a_relocation_becomes_two_entries_the_second_at_the_target_from_arrival) {
  const std::string line = "relocate = { site = \"Georgia\", on = 2026-06-01, days_offline = 10, cost_usd = 2e5 }\n";
  const firm::Scenario s = read_scenario(write(with_georgia(line)).string());
  ASSERT_EQ(s.fleet.size(), 2u);
  EXPECT_EQ(s.fleet[0].site, "Texas");
  EXPECT_FALSE(s.fleet[0].in_service.has_value());
  EXPECT_EQ(format_date(*s.fleet[0].retire), "2026-06-01");
  ASSERT_TRUE(s.fleet[0].relocate.has_value());
  EXPECT_DOUBLE_EQ(s.fleet[0].relocate->cost_usd, 2e5);
  EXPECT_EQ(s.fleet[0].relocate->days_offline, 10);
  EXPECT_FALSE(s.fleet[0].relocated);
  EXPECT_EQ(s.fleet[1].site, "Georgia");
  EXPECT_EQ(s.fleet[1].count, 2500);
  EXPECT_EQ(format_date(*s.fleet[1].in_service), "2026-06-11");
  EXPECT_FALSE(s.fleet[1].retire.has_value());
  EXPECT_DOUBLE_EQ(s.fleet[1].book_value_usd, 0.0);
  EXPECT_FALSE(s.fleet[1].relocate.has_value());
  EXPECT_TRUE(s.fleet[1].relocated);
}

TEST(ScenarioReader, a_bad_relocation_names_file_line_and_key) {
  const auto bad = [](const std::string& fields, double georgia_mw = 12) {
    return error_of(with_georgia("relocate = { " + fields + " }\n", georgia_mw), "relocate =");
  };
  EXPECT_EQ(bad("site = \"Ohio\", on = 2026-06-01"), "fleet[1].relocate.site: no [[sites]] entry is named \"Ohio\"");
  EXPECT_EQ(bad("site = \"Texas\", on = 2026-06-01"),
            "fleet[1].relocate.site: the machines are already at site \"Texas\"");
  EXPECT_EQ(bad("site = \"Georgia\", on = 2029-03-01"),
            "fleet[1].relocate.on: 2029-03-01 lies outside the horizon, 2026-02-01 to 2029-01-31 (exclusive)");
  EXPECT_EQ(bad("site = \"Georgia\", on = 2026-01-01"),
            "fleet[1].relocate.on: 2026-01-01 lies outside the horizon, 2026-02-01 to 2029-01-31 (exclusive)");
  EXPECT_EQ(bad("site = \"Georgia\", on = 2029-01-20, days_offline = 30"),
            "fleet[1].relocate.days_offline: the machines would arrive on 2029-02-19, after the horizon, which ends on "
            "2029-01-31");
  // 2,500 S21 × 3.5 kW × PUE 1.2 = 10.5 MW > 10 MW at Georgia from their arrival.
  EXPECT_EQ(bad("site = \"Georgia\", on = 2026-06-01, days_offline = 10", 10),
            "fleet[1].relocate.on: the fleet at site \"Georgia\" would draw 10.50 MW with PUE 1.2 on 2026-06-11, above "
            "its capacity of 10 MW");
  EXPECT_EQ(bad("site = \"Georgia\", on = 2026-06-01, cost_usd = -5"),
            "fleet[1].relocate.cost_usd: expected a number >= 0, got -5");
  EXPECT_EQ(bad("site = \"Georgia\", on = 2026-06-01, speed = 3"),
            "fleet[1].relocate.speed: unknown key (misspelt, or not valid here)");
  EXPECT_EQ(error_of(with_georgia("in_service = 2026-07-01\nrelocate = { site = \"Georgia\", on = 2026-06-01 }\n"),
                     "relocate ="),
            "fleet[1].relocate.on: 2026-06-01 is not after in_service 2026-07-01");
}

}  // namespace
}  // namespace hashpivot::io
