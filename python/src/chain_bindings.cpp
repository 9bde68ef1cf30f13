// hashpivot.chain: Bitcoin's consensus rules as `hashpivot chain subsidy | retarget | hashprice`
// compute them (chain_command.cpp), with the same checks of their inputs.

#include <fmt/format.h>

#include <string>

#include "bindings.hpp"
#include "cli_support.hpp"
#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/hashprice.hpp"

namespace hashpivot::python {
namespace {

double sat_to_btc(std::int64_t sat) { return static_cast<double>(sat) / static_cast<double>(chain::kSatPerBtc); }

[[noreturn]] void bad_argument(const std::string& name, const std::string& problem) {
  throw InputError("argument", 0, name, problem);
}

void require_height(std::int64_t height) {
  if (height < 0 || height > chain::kMaxBlockHeight)
    bad_argument("height", fmt::format("expected a block height in 0 .. {}, got {}", chain::kMaxBlockHeight, height));
}

void require_block_time(std::int64_t time, const std::string& name) {
  if (time < 0 || time > chain::kMaxBlockTime)
    bad_argument(name, fmt::format("expected a block time in Unix seconds, 0 .. {}, got {}", chain::kMaxBlockTime, time));
}

/// Bits given as an int or as hex text ("0x1701fca1" or "1701fca1").
std::uint32_t bits_argument(const py::handle& value, const std::string& name) {
  std::uint32_t bits = 0;
  if (py::isinstance<py::int_>(value)) {
    const auto number = value.cast<long long>();
    if (number < 0 || number > 0xFFFFFFFFLL) bad_argument(name, fmt::format("expected 32-bit compact bits, got {}", number));
    bits = static_cast<std::uint32_t>(number);
  } else {
    try {
      bits = cli::parse_bits_hex(py::str(value).cast<std::string>(), name);
    } catch (const InputError& e) {
      bad_argument(name, e.problem());
    }
  }
  if (!chain::is_valid_target_bits(bits))
    bad_argument(name, fmt::format("{} is not a usable target: its sign bit is set, it overflows 256 bits, or it is zero",
                                   cli::format_bits(bits)));
  return bits;
}

py::dict subsidy(std::int64_t height) {
  require_height(height);
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  const std::int64_t sat = chain::block_subsidy_sat(height, params);
  py::dict out;
  out["height"] = height;
  out["subsidy_sat"] = sat;
  out["subsidy_btc"] = sat_to_btc(sat);
  out["halvings"] = height / params.subsidy_halving_interval_blocks;
  return out;
}

py::dict next_bits(const py::handle& bits_value, std::int64_t first_time, std::int64_t last_time) {
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  const std::uint32_t old_bits = bits_argument(bits_value, "bits");
  require_block_time(first_time, "first_time");
  require_block_time(last_time, "last_time");
  if (last_time < first_time) bad_argument("last_time", "the epoch's last block must not be older than its first (first_time)");
  const std::uint32_t new_bits = chain::next_epoch_bits(old_bits, first_time, last_time, params);
  const double difficulty = chain::difficulty_from_bits(new_bits);
  py::dict out;
  out["bits"] = cli::format_bits(new_bits);
  out["difficulty"] = difficulty;
  out["previous_bits"] = cli::format_bits(old_bits);
  out["actual_timespan_s"] = last_time - first_time;
  out["timespan_used_s"] = chain::clamped_timespan_s(first_time, last_time, params);
  out["difficulty_change_pct"] = (difficulty / chain::difficulty_from_bits(old_bits) - 1.0) * kPercentPerUnit;
  return out;
}

/// A difficulty given as a number or as text with an SI suffix ("144.4T").
double difficulty_argument(const py::handle& value) {
  if (py::isinstance<py::str>(value)) {
    try {
      return cli::parse_scaled_number(value.cast<std::string>(), "difficulty");
    } catch (const InputError& e) {
      bad_argument("difficulty", e.problem());
    }
  }
  const auto difficulty = value.cast<double>();
  if (!(difficulty > 0 && std::isfinite(difficulty)))
    bad_argument("difficulty", fmt::format("expected a positive finite number, got {}", difficulty));
  return difficulty;
}

py::dict hashprice(const py::handle& difficulty_value, double price_usd, double fees_btc_per_block, std::int64_t height) {
  const double difficulty = difficulty_argument(difficulty_value);
  if (!(price_usd > 0)) bad_argument("price_usd", "expected a price in USD per BTC > 0");
  if (!(fees_btc_per_block >= 0)) bad_argument("fees_btc_per_block", "expected mean fees per block in BTC >= 0");
  require_height(height);
  const double subsidy_btc = sat_to_btc(chain::block_subsidy_sat(height, chain::ConsensusParams::mainnet()));
  const double reward = subsidy_btc + fees_btc_per_block;
  py::dict out;
  out["hashprice_usd_per_ph_day"] = network::hashprice_usd_per_ph_day(difficulty, reward, price_usd);
  out["hashprice_btc_per_ph_day"] = network::hashprice_btc_per_ph_day(difficulty, reward);
  out["difficulty"] = difficulty;
  out["price_usd"] = price_usd;
  out["subsidy_btc"] = subsidy_btc;
  out["fees_btc_per_block"] = fees_btc_per_block;
  out["reward_btc_per_block"] = reward;
  return out;
}

}  // namespace

void bind_chain(py::module_& m) {
  m.def("subsidy", &subsidy, py::arg("height"));
  m.def("next_bits", &next_bits, py::arg("bits"), py::arg("first_time"), py::arg("last_time"));
  m.def("hashprice", &hashprice, py::arg("difficulty"), py::arg("price_usd"), py::arg("fees_btc_per_block"),
        py::arg("height"));
}

}  // namespace hashpivot::python
