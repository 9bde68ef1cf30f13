// End-to-end tests of `hashpivot peers`: the JSON contract, a firm's figures equal to its own run,
// threads, the record, bad input, and the bundled peer group.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/cli_runner.hpp"
#include "support/test_peers.hpp"

namespace {

using namespace hashpivot::testing;
namespace fs = std::filesystem;

/// The two test firms written to files (removed by the destructor).
struct PeerFiles {
  fs::path a = write_temp_file("peers_cli_a.toml", firm_a_toml());
  fs::path b = write_temp_file("peers_cli_b.toml", firm_b_toml());
  ~PeerFiles() {
    fs::remove(a);
    fs::remove(b);
  }
  [[nodiscard]] std::string both() const { return a.string() + ":convert " + b.string(); }
};

TEST(PeersCli, json_has_the_firms_the_pairs_and_the_stresses) {
  const PeerFiles files;
  const auto j = json_output(run_cli("peers " + files.both() + " --paths 300 --threads 2 --json --no-record --stress " +
                                     "--history " + kHistoryCsv));
  EXPECT_EQ(j["paths"], 300);
  EXPECT_EQ(j["start_date"], "2026-02-01");
  ASSERT_EQ(j["firms"].size(), 2u);
  EXPECT_EQ(j["firms"][0]["firm"], files.a.stem().string() + ":convert");
  EXPECT_EQ(j["firms"][0]["strategy"], "convert");
  EXPECT_EQ(j["firms"][1]["strategy"], "sell_production");
  std::vector<int> ranks;
  for (const auto& f : j["firms"]) {
    for (const char* key : {"p_default", "npv_usd", "npv_per_share_usd", "shares_issued", "btc_sold", "btc_sold_forced",
                            "btc_liquidated", "hashcost_usd_per_ph_day", "hpc_revenue_share", "default_month_median",
                            "npv_vs_firm_usd"})
      EXPECT_TRUE(f.contains(key)) << key;
    ranks.push_back(f["rank"]);
    EXPECT_EQ(f["npv_vs_firm_usd"].size(), 2u);
    EXPECT_GE(f["hpc_revenue_share"].get<double>(), 0.0);
    EXPECT_LE(f["hpc_revenue_share"].get<double>(), 1.0);
  }
  std::sort(ranks.begin(), ranks.end());
  EXPECT_EQ(ranks, (std::vector<int>{1, 2}));
  // Firm B has shares; firm A has none, so its per-share value is null.
  EXPECT_TRUE(j["firms"][0]["npv_per_share_usd"]["mean"].is_null());
  EXPECT_TRUE(j["firms"][1]["npv_per_share_usd"]["mean"].is_number());
  // A's convert strategy leases MW to an AI/HPC tenant; B only mines.
  EXPECT_GT(j["firms"][0]["hpc_revenue_share"].get<double>(), 0.0);
  EXPECT_EQ(j["firms"][1]["hpc_revenue_share"].get<double>(), 0.0);
  // The pair's two directions are each other's negatives.
  EXPECT_DOUBLE_EQ(j["firms"][0]["npv_vs_firm_usd"][1]["mean"].get<double>(),
                   -j["firms"][1]["npv_vs_firm_usd"][0]["mean"].get<double>());
  ASSERT_EQ(j["stress"].size(), 4u);
  for (const auto& s : j["stress"]) {
    EXPECT_EQ(s["firms"].size(), 2u);
    EXPECT_TRUE(s["firms"][0]["equity_value_end_usd"].is_number());
  }
  EXPECT_TRUE(j["hashprice_usd_per_ph_day"]["p50"].is_number());
}

TEST(PeersCli, a_firm_has_the_figures_of_its_own_run_for_any_thread_count) {
  const PeerFiles files;
  const std::string peers = "peers " + files.both() + " --paths 600 --json --no-record";
  const auto one = json_output(run_cli(peers + " --threads 1"));
  const auto three = json_output(run_cli(peers + " --threads 3"));
  EXPECT_EQ(one.dump(), three.dump());
  const auto alone = json_output(run_cli("run " + files.b.string() + " --paths 600 --threads 2 --json --no-record"));
  const auto& b = one["firms"][1];
  const auto& own = alone["strategies"][0];
  for (const char* key : {"p_default", "npv_usd", "npv_per_share_usd", "btc_mined", "btc_sold", "shares_issued",
                          "hashcost_usd_per_ph_day", "cost_per_btc_usd"})
    EXPECT_EQ(b[key].dump(), own[key].dump()) << key;
}

TEST(PeersCli, the_table_ranks_the_firms_and_the_run_is_recorded_once) {
  const PeerFiles files;
  const fs::path db = temp_path("peers_cli.sqlite");
  fs::remove(db);
  const CliResult r = run_cli("peers " + files.both() + " --paths 200 --db " + db.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* text : {"rank", "P(default)", "NPV per share", "dilution", "AI/HPC", "Paired NPV differences",
                           "Recorded as run 1"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  const auto runs = json_output(run_cli("runs list --json --db " + db.string()));
  ASSERT_EQ(runs["runs"].size(), 1u) << runs.dump();
  // One run whose strategies are the firms.
  EXPECT_EQ(runs["runs"][0]["strategies"],
            nlohmann::json({files.a.stem().string() + ":convert", files.b.stem().string()}));
  fs::remove(db);
}

TEST(PeersCli, bad_input_is_located_and_prints_nothing) {
  const PeerFiles files;
  const fs::path late = write_temp_file("peers_cli_late.toml", firm_b_toml("2026-03-01"));
  const CliResult other_date = run_cli("peers " + files.a.string() + " " + late.string() + " --paths 10 --no-record");
  EXPECT_EQ(other_date.exit_code, 2);
  EXPECT_NE(other_date.err.find(late.string() + ":"), std::string::npos) << other_date.err;
  EXPECT_NE(other_date.err.find("scenario.start_date"), std::string::npos) << other_date.err;
  EXPECT_TRUE(other_date.out.empty());
  fs::remove(late);
  const CliResult no_history = run_cli("peers " + files.both() + " --paths 10 --no-record --stress");
  EXPECT_EQ(no_history.exit_code, 2);
  EXPECT_NE(no_history.err.find("--history"), std::string::npos) << no_history.err;
  const CliResult unknown = run_cli("peers " + files.a.string() + ":nope --paths 10 --no-record");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("nope"), std::string::npos) << unknown.err;
  const CliResult twice = run_cli("peers " + files.a.string() + " " + files.a.string() + " --paths 10 --no-record");
  EXPECT_EQ(twice.exit_code, 2);
}

// The bundled peer group (scenarios/peers/, with scenarios/cango.toml): every firm reads, runs beside the
// others and backtests on the real 2025.
TEST(PeersCli, the_eleven_bundled_miners_run_together_and_each_backtests_2025) {
  const std::string dir = std::string(HASHPIVOT_SCENARIOS_DIR) + "/peers";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".toml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 10u);
  std::string args = "peers";
  for (const std::string& f : files) args += " " + f;
  args += " " + std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml --paths 256 --threads 2 --json --no-record --strict";
  const auto j = json_output(run_cli(args));
  ASSERT_EQ(j["firms"].size(), 11u);
  for (const auto& f : j["firms"]) {
    EXPECT_EQ(f["strategy"], f["firm"] == "cango" ? "hold" : "as_reported") << f["firm"];
    EXPECT_TRUE(f["npv_per_share_usd"]["mean"].is_number()) << f["firm"] << ": every listed miner has shares";
  }
  for (const std::string& f : files) {
    const CliResult r = run_cli("backtest " + f + " --history " + kHistoryCsv +
                                " --from 2025-01-01 --to 2025-12-31 --json --strict");
    EXPECT_EQ(r.exit_code, 0) << f << "\n" << r.err;
  }
}

}  // namespace
