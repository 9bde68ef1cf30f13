// End-to-end tests of the hashpivot executable: output, JSON keys and exit codes.

#include <gtest/gtest.h>

#include "apps/cli_runner.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, subsidy_prints_sat_and_btc_as_json) {
  const auto j = json_output(run_cli("chain subsidy 840000 --json"));
  EXPECT_EQ(j["subsidy_sat"], 312'500'000);
  EXPECT_DOUBLE_EQ(j["subsidy_btc"].get<double>(), 3.125);
}

TEST(Cli, retarget_reproduces_bitcoin_core_pow_tests_get_next_work) {
  const auto j =
      json_output(run_cli("chain retarget --bits 0x1d00ffff --first-time 1261130161 --last-time 1262152739 --json"));
  EXPECT_EQ(j["bits"], "0x1d00d86a");
  EXPECT_GT(j["difficulty"].get<double>(), 1.0);
}

TEST(Cli, verify_replays_the_whole_mainnet_history_with_zero_mismatches) {
  const Result r = run_cli(std::string("chain verify ") + HASHPIVOT_MAINNET_RETARGETS_CSV + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["checked"], 413 + 11);  // every epoch whose first and last timestamps are known
  EXPECT_TRUE(j["mismatches"].empty());
}

TEST(Cli, verify_exits_1_and_names_the_height_of_a_mismatch) {
  std::string text = slurp(HASHPIVOT_MAINNET_RETARGETS_CSV);
  const std::string real = "4032,1234466190,0x1d00ffff";  // block 4032 as mined
  const auto at = text.find(real);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, real.size(), "4032,1234466190,0x1d00fffe");
  const auto path = write_temp("tampered.csv", text);
  const Result r = run_cli("chain verify " + path.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("mismatch at height 4032"), std::string::npos) << r.out;
  const Result j = run_cli("chain verify " + path.string() + " --json");
  EXPECT_EQ(nlohmann::json::parse(j.out)["mismatches"][0]["height"], 4032);
  std::filesystem::remove(path);
}

TEST(Cli, verify_exits_2_naming_the_line_and_column_of_malformed_input) {
  const auto path = write_temp("malformed.csv", "height,time,bits\n0,1231006505,0x1d00ffff\n2015,soon,0x1d00ffff\n");
  const Result r = run_cli("chain verify " + path.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path.string() + ":3: time:"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::filesystem::remove(path);
}

TEST(Cli, hashprice_reproduces_the_model_check) {
  const auto j =
      json_output(run_cli("chain hashprice --difficulty 144.4T --price-usd 68000 --fees-btc-per-block 0.036 --json"));
  EXPECT_NEAR(j["hashprice_usd_per_ph_day"].get<double>(), 29.9, 0.05);
  EXPECT_NEAR(j["hashprice_btc_per_ph_day"].get<double>() * 68000, j["hashprice_usd_per_ph_day"].get<double>(), 1e-9);
}

TEST(Cli, bad_flags_exit_2_with_a_message_naming_the_flag) {
  Result r = run_cli("chain hashprice --difficulty -3 --price-usd 68000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--difficulty"), std::string::npos) << r.err;
  r = run_cli("chain retarget --bits 0x04923456 --first-time 0 --last-time 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--bits"), std::string::npos) << r.err;
  r = run_cli("chain subsidy");
  EXPECT_EQ(r.exit_code, 2);
  r = run_cli("no-such-command");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, help_exits_0_and_lists_the_subcommands) {
  const Result r = run_cli("chain --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* name : {"subsidy", "retarget", "verify", "hashprice", "target", "halvings"})
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
}

TEST(Cli, target_decodes_bits_and_encodes_the_target_back) {
  const auto j = json_output(run_cli("chain target --bits 0x17034219 --json"));
  const Result back = run_cli("chain target --target " + j["target_hex"].get<std::string>() + " --json");
  EXPECT_EQ(nlohmann::json::parse(back.out)["bits"], "0x17034219");
}

TEST(Cli, halvings_lists_the_fifth_halving_at_1050000) {
  const auto j = json_output(run_cli("chain halvings --height 840000 --time 1713571767 --count 1 --json"));
  EXPECT_EQ(j["halvings"][0]["height"], 1'050'000);
  EXPECT_EQ(j["halvings"][0]["est_date"], "2028-04-17");
}

}  // namespace
