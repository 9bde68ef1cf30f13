#include "chain_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <limits>
#include <string>
#include <utility>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/chain/retarget_replay.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/hashprice.hpp"

namespace hashpivot::cli {
namespace {

using nlohmann::json;
using chain::ConsensusParams;

double sat_to_btc(std::int64_t sat) { return static_cast<double>(sat) / static_cast<double>(chain::kSatPerBtc); }

/// The last second std::chrono's civil calendar prints as a four-digit year (9999-12-31T23:59:59Z).
constexpr std::int64_t kLastFourDigitYearSecond = 253'402'300'799;

std::string iso_date_utc(std::int64_t unix_seconds) {
  if (unix_seconds > kLastFourDigitYearSecond) return "after 9999-12-31";
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{std::chrono::seconds{unix_seconds}});
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

using chain::kMaxBlockHeight;
using chain::kMaxBlockTime;

/// Why compact `bits` is no target, in Bitcoin Core's terms (arith_uint256::SetCompact sets the
/// negative and overflow flags; CheckProofOfWork and the RPCs reject a flagged or zero target), or
/// "" when it is one.
std::string unusable_target_problem(unsigned bits, const chain::DecodedCompact& decoded) {
  if (decoded.negative)
    return fmt::format("{} has the sign bit (0x00800000) set with a nonzero mantissa: Bitcoin Core's SetCompact "
                       "flags it negative, and no block may use it",
                       format_bits(bits));
  if (decoded.overflow)
    return fmt::format("{}: exponent {} shifts the mantissa past 256 bits: Bitcoin Core's SetCompact flags it "
                       "overflow, and no block may use it",
                       format_bits(bits), bits >> 24U);
  if (decoded.target.is_zero())
    return fmt::format("{} decodes to a zero target, which no hash can meet: Bitcoin Core's CheckProofOfWork "
                       "rejects it",
                       format_bits(bits));
  return "";
}

void require_valid_bits(unsigned bits, const std::string& flag) {
  if (!chain::is_valid_target_bits(bits))
    throw InputError("command line", 0, flag,
                     fmt::format("{} is not a usable target: its sign bit is set, it overflows 256 bits, or it is zero",
                                 format_bits(bits)));
}

struct SubsidyOptions {
  std::int64_t height = 0;
  bool json = false;
};

void run_subsidy(const SubsidyOptions& options) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const std::int64_t sat = chain::block_subsidy_sat(options.height, params);
  const std::int64_t era = options.height / params.subsidy_halving_interval_blocks;
  if (options.json) {
    std::cout << json{{"height", options.height}, {"subsidy_sat", sat}, {"subsidy_btc", sat_to_btc(sat)},
                      {"halvings", era}}.dump()
              << '\n';
    return;
  }
  fmt::print("height   {}\nsubsidy  {} sat = {:.8f} BTC (after {} halvings)\n", options.height, sat, sat_to_btc(sat),
             era);
}

struct RetargetOptions {
  std::string bits;
  std::int64_t first_time = 0;
  std::int64_t last_time = 0;
  bool json = false;
};

void run_retarget(const RetargetOptions& options) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const unsigned old_bits = parse_bits_hex(options.bits, "--bits");
  require_valid_bits(old_bits, "--bits");
  if (options.last_time < options.first_time)
    throw InputError("command line", 0, "--last-time",
                     "the epoch's last block must not be older than its first (--first-time)");
  const unsigned new_bits = chain::next_epoch_bits(old_bits, options.first_time, options.last_time, params);
  const std::int64_t actual = options.last_time - options.first_time;
  const std::int64_t used = chain::clamped_timespan_s(options.first_time, options.last_time, params);
  const double difficulty = chain::difficulty_from_bits(new_bits);
  const double change_pct = (difficulty / chain::difficulty_from_bits(old_bits) - 1.0) * kPercentPerUnit;
  if (options.json) {
    std::cout << json{{"bits", format_bits(new_bits)},
                      {"difficulty", difficulty},
                      {"previous_bits", format_bits(old_bits)},
                      {"actual_timespan_s", actual},
                      {"timespan_used_s", used},
                      {"difficulty_change_pct", change_pct}}
                     .dump()
              << '\n';
    return;
  }
  fmt::print("previous bits     {}  (difficulty {:.2f})\n", format_bits(old_bits), chain::difficulty_from_bits(old_bits));
  fmt::print("actual timespan   {} s{}\n", actual, used != actual ? fmt::format("  (clamped to {} s)", used) : "");
  fmt::print("new bits          {}\ndifficulty        {:.2f}  ({:+.2f}%)\n", format_bits(new_bits), difficulty,
             change_pct);
}

struct VerifyOptions {
  std::string file;
  bool json = false;
};

void run_verify(const VerifyOptions& options, int& exit_code) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const auto records = chain::read_block_records_csv(options.file);
  const chain::RetargetReplay replay = chain::replay_retargets(records, params);
  exit_code = replay.mismatches.empty() ? kExitOk : kExitCheckFailed;
  if (options.json) {
    json mismatches = json::array();
    for (const auto& m : replay.mismatches)
      mismatches.push_back(
          {{"height", m.height}, {"actual_bits", format_bits(m.actual_bits)}, {"computed_bits", format_bits(m.computed_bits)}});
    std::cout << json{{"file", options.file}, {"checked", replay.checked}, {"mismatches", mismatches}}.dump() << '\n';
    return;
  }
  fmt::print("{}: {} blocks read, {} retargets checked, {} mismatches\n", options.file, records.size(), replay.checked,
             replay.mismatches.size());
  for (const auto& m : replay.mismatches)
    fmt::print("  mismatch at height {}: chain has {}, the rule gives {}\n", m.height, format_bits(m.actual_bits),
               format_bits(m.computed_bits));
  if (replay.checked == 0)
    fmt::print(stderr,
               "warning: nothing to check; each retarget at height h needs rows for h, h-1 and h-2016 "
               "(an epoch's first and last block)\n");
}

struct HashpriceOptions {
  std::string difficulty;
  double price_usd = 0;
  double fees_btc_per_block = 0;
  // The fourth halving era (3.125 BTC), in force from April 2024; stated in --help.
  std::int64_t height = 840'000;
  bool json = false;
};

void run_hashprice(const HashpriceOptions& options) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const double difficulty = parse_scaled_number(options.difficulty, "--difficulty");
  if (!(options.price_usd > 0)) throw InputError("command line", 0, "--price-usd", "expected a price in USD per BTC > 0");
  if (!(options.fees_btc_per_block >= 0))
    throw InputError("command line", 0, "--fees-btc-per-block", "expected mean fees per block in BTC >= 0");
  const double subsidy_btc = sat_to_btc(chain::block_subsidy_sat(options.height, params));
  const double reward = subsidy_btc + options.fees_btc_per_block;
  const double btc = network::hashprice_btc_per_ph_day(difficulty, reward);
  const double usd = network::hashprice_usd_per_ph_day(difficulty, reward, options.price_usd);
  if (options.json) {
    std::cout << json{{"hashprice_usd_per_ph_day", usd},
                      {"hashprice_btc_per_ph_day", btc},
                      {"difficulty", difficulty},
                      {"price_usd", options.price_usd},
                      {"subsidy_btc", subsidy_btc},
                      {"fees_btc_per_block", options.fees_btc_per_block},
                      {"reward_btc_per_block", reward}}
                     .dump()
              << '\n';
    return;
  }
  fmt::print("difficulty   {:.4g}\nreward       {:.8f} BTC per block ({:.8f} subsidy at height {} + {:.8f} fees)\n",
             difficulty, reward, subsidy_btc, options.height, options.fees_btc_per_block);
  fmt::print("hashprice    ${:.2f} per PH/s per day  ({:.8f} BTC)\n", usd, btc);
}

struct TargetOptions {
  std::string bits;
  std::string target;
  bool json = false;
};

/// The target `options` name (--bits decoded, or --target read) and its compact bits; throws
/// InputError for a target no block may have (zero, or bits Bitcoin Core flags negative or overflow).
std::pair<unsigned, chain::Uint256> read_target(const TargetOptions& options) {
  if (options.bits.empty() == options.target.empty())
    throw InputError("command line", 0, "--bits", "give exactly one of --bits or --target");
  if (!options.bits.empty()) {
    const unsigned bits = parse_bits_hex(options.bits, "--bits");
    const chain::DecodedCompact decoded = chain::decode_compact(bits);
    if (const std::string problem = unusable_target_problem(bits, decoded); !problem.empty())
      throw InputError("command line", 0, "--bits", problem);
    return {bits, decoded.target};
  }
  chain::Uint256 target;
  try {
    target = chain::Uint256::from_hex(options.target);
  } catch (const ParameterError& e) {
    throw InputError("command line", 0, "--target", fmt::format("expected up to 64 hex digits: {}", e.problem()));
  }
  if (target.is_zero())
    throw InputError("command line", 0, "--target",
                     "a zero target is no target (no hash can meet it): Bitcoin Core's CheckProofOfWork rejects it");
  return {chain::encode_compact(target), target};
}

void run_target(const TargetOptions& options) {
  const auto [bits, target] = read_target(options);
  const double difficulty = chain::difficulty_from_bits(bits);
  const std::string work = chain::block_work(bits).to_hex();
  if (options.json) {
    // negative and overflow stay in the object for scripts that read them: a target printed has neither.
    std::cout << json{{"bits", format_bits(bits)}, {"target_hex", target.to_hex()},
                      {"negative", false},         {"overflow", false},
                      {"difficulty", difficulty},  {"work_hex", work}}
                     .dump()
              << '\n';
    return;
  }
  fmt::print("bits        {}\ntarget      {}\ndifficulty  {:.8f}\nwork/block  0x{}\n", format_bits(bits), target.to_hex(),
             difficulty, work);
}

struct HalvingsOptions {
  std::int64_t height = 0;
  std::int64_t time = 0;
  std::int64_t block_interval_s = ConsensusParams::mainnet().pow_target_spacing_s;
  int count = 4;
  bool json = false;
};

void run_halvings(const HalvingsOptions& options) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const auto halvings =
      chain::next_halvings(options.height, options.time, options.block_interval_s, options.count, params);
  if (options.json) {
    json list = json::array();
    for (const auto& h : halvings)
      list.push_back({{"index", h.index}, {"height", h.height}, {"subsidy_sat", h.subsidy_sat},
                      {"subsidy_btc", sat_to_btc(h.subsidy_sat)}, {"est_time_unix", h.est_time_unix},
                      {"est_date", iso_date_utc(h.est_time_unix)}});
    std::cout << json{{"halvings", list}}.dump() << '\n';
    return;
  }
  fmt::print("{:>5}  {:>9}  {:>14}  {}\n", "#", "height", "subsidy BTC", "estimated date (UTC)");
  for (const auto& h : halvings)
    fmt::print("{:>5}  {:>9}  {:>14.8f}  {}\n", h.index, h.height, sat_to_btc(h.subsidy_sat),
               iso_date_utc(h.est_time_unix));
}

}  // namespace

constexpr const char* kSubsidyHelp = "Block subsidy at a height, in sat and BTC";

constexpr const char* kRetargetHelp =
    "Bits of the next epoch from the last block's bits and the epoch's first and last timestamps";

constexpr const char* kHashpriceHelp = "Expected revenue of 1 PH/s for one day, in USD and BTC (docs/model.md §2)";

constexpr const char* kTargetHelp =
    "Decode compact bits to the 256-bit target, difficulty and work, or encode a target";

constexpr const char* kHalvingsHelp = "Next halving heights and their dates, extrapolated from a known block";

void add_chain_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  static_cast<void>(group);
  CLI::App* chain = app.add_subcommand("chain", "Bitcoin's consensus rules, exactly as Bitcoin Core computes them");
  chain->require_subcommand(1);

  const auto [subsidy_cmd, subsidy] = add_command<SubsidyOptions>(*chain, exit_code, "subsidy", kSubsidyHelp,
      [](SubsidyOptions& o) { run_subsidy(o); });
  subsidy_cmd->add_option("HEIGHT", subsidy->height, "Block height (>= 0)")
      ->required()
      ->transform(count_in_range("", 0, kMaxBlockHeight));
  subsidy_cmd->add_flag("--json", subsidy->json, "Print one JSON object: subsidy_sat, subsidy_btc");

  const auto [retarget_cmd, retarget] = add_command<RetargetOptions>(*chain, exit_code, "retarget", kRetargetHelp,
      [](RetargetOptions& o) { run_retarget(o); });
  retarget_cmd->add_option("--bits", retarget->bits, "Compact bits of the epoch's last block, hex (0x1d00ffff)")
      ->required();
  retarget_cmd->add_option("--first-time", retarget->first_time, "Timestamp of the epoch's first block (Unix s)")
      ->required()
      ->transform(count_in_range("seconds", 0, kMaxBlockTime));
  retarget_cmd->add_option("--last-time", retarget->last_time, "Timestamp of the epoch's last block (Unix s)")
      ->required()
      ->transform(count_in_range("seconds", 0, kMaxBlockTime));
  retarget_cmd->add_flag("--json", retarget->json, "Print one JSON object: bits, difficulty");

  auto verify = std::make_shared<VerifyOptions>();
  CLI::App* verify_cmd = chain->add_subcommand(
      "verify",
      "Replay every retarget in a CSV of blocks (columns height, time or time_unix, bits or nbits_hex; any order; "
      "extra columns ignored), e.g. data/chain/btc_retarget_boundary_headers.csv. "
      "Exit 0 if all match, 1 on a mismatch, 2 on malformed input");
  verify_cmd->add_option("FILE", verify->file, "CSV file with rows at each epoch's first and last block")->required();
  verify_cmd->add_flag("--json", verify->json, "Print one JSON object: checked, mismatches");
  verify_cmd->callback([verify, &exit_code] { run_verify(*verify, exit_code); });

  const auto [hashprice_cmd, hashprice] = add_command<HashpriceOptions>(*chain, exit_code, "hashprice", kHashpriceHelp,
      [](HashpriceOptions& o) { run_hashprice(o); });
  hashprice_cmd->add_option("--difficulty", hashprice->difficulty, "Network difficulty, e.g. 144.4T or 1.444e14")
      ->required();
  hashprice_cmd->add_option("--price-usd", hashprice->price_usd, "BTC price in USD")->required();
  hashprice_cmd->add_option("--fees-btc-per-block", hashprice->fees_btc_per_block,
                            "Mean transaction fees per block in BTC")
      ->capture_default_str();
  hashprice_cmd
      ->add_option("--height", hashprice->height,
                   "Block height that sets the subsidy (default: 840000, the 3.125 BTC era begun April 2024)")
      ->transform(count_in_range("", 0, kMaxBlockHeight));
  hashprice_cmd->add_flag("--json", hashprice->json,
                          "Print one JSON object: hashprice_usd_per_ph_day, hashprice_btc_per_ph_day");

  const auto [target_cmd, target] = add_command<TargetOptions>(*chain, exit_code, "target", kTargetHelp,
      [](TargetOptions& o) { run_target(o); });
  auto* bits_option = target_cmd->add_option("--bits", target->bits, "Compact bits in hex, e.g. 0x17034219");
  auto* target_option = target_cmd->add_option("--target", target->target, "Target as up to 64 hex digits");
  bits_option->excludes(target_option);
  target_cmd->add_flag("--json", target->json, "Print one JSON object: bits, target_hex, difficulty, work_hex");

  const auto [halvings_cmd, halvings] = add_command<HalvingsOptions>(*chain, exit_code, "halvings", kHalvingsHelp,
      [](HalvingsOptions& o) { run_halvings(o); });
  halvings_cmd->add_option("--height", halvings->height, "Height of a known block")
      ->required()
      ->transform(count_in_range("", 0, kMaxBlockHeight));
  halvings_cmd->add_option("--time", halvings->time, "Timestamp of that block (Unix s)")
      ->required()
      ->transform(count_in_range("seconds", 0, kMaxBlockTime));
  halvings_cmd->add_option("--block-interval-s", halvings->block_interval_s, "Mean seconds per block assumed")
      ->capture_default_str()
      ->transform(count_in_range("seconds", 1, static_cast<std::int64_t>(kSecondsPerDay)));
  halvings_cmd->add_option("--count", halvings->count, "How many halvings to list")
      ->capture_default_str()
      ->transform(count_in_range("halvings", 1, 64));
  halvings_cmd->add_flag("--json", halvings->json, "Print one JSON object: halvings");
}

}  // namespace hashpivot::cli
