#pragma once
// Named stress markets for a peer group (`hashpivot peers --stress`): deterministic daily markets,
// the same for every firm, on which each firm's strategy runs day by day (the history backtest's
// engine, study/history_backtest.hpp) beside the stochastic run. Every stress starts from the
// scenarios' shared [market] values on the start date (price S0, difficulty D0 from `bits`, fees f0
// per block) and mines 144 blocks a day from the start height, so the subsidy halves on the day
// the height passes the next halving (1,050,000: about April 2028). Day d = 0, 1, …:
//
//   replay_2022            S_d = S0 · P(d)/P(0), D_d = D0 · Q(d)/Q(0), f_d = f0, with P and Q the real
//                          history's price and difficulty on 2022-01-01 + d (d ≤ 364; later days keep
//                          2022-12-31's ratios). The year the hashprice fell to its low and stayed
//                          there, replayed from today's levels: the "hashprice at the 2022 low for a
//                          year" of the peer issue, kept as a path because 2022's USD level would not
//                          stress a 2026 firm (it is above February 2026's hashprice; docs/peers.md
//                          gives both). Fees stay at the start's: the history lacks 2022's fees on 247
//                          days, and fees are under 1% of the block reward at the start.
//   btc_halved_in_quarter  ln S_d falls linearly from ln S0 to ln(S0/2) over days 0..91, then stays;
//                          D_d = D0, f_d = f0.
//   halving_flat_price     S_d = S0, D_d = D0, f_d = f0: only the halving moves.
//   hashrate_surge         ln D_d rises linearly from ln D0 to ln(1.2 · D0) over days 0..91 (the
//                          network grows 20% in a quarter), then stays; S_d = S0, f_d = f0.
// Power: as the backtest (a fixed-price site pays its contract, an index site its scenario price).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "hashpivot/core/date.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::study {

enum class PeerStress : std::uint8_t { kReplay2022, kBtcHalvedInQuarter, kHalvingFlatPrice, kHashrateSurge };

struct PeerStressInfo {
  PeerStress stress;
  std::string_view name;         // the keyword, as JSON and the table print it
  std::string_view description;  // one line
};

inline constexpr std::array<PeerStressInfo, 4> kPeerStresses{{
    {PeerStress::kReplay2022, "replay_2022", "BTC price and difficulty move as over 2022 (hashprice to its low)"},
    {PeerStress::kBtcHalvedInQuarter, "btc_halved_in_quarter", "BTC falls 50% over a quarter, then stays"},
    {PeerStress::kHalvingFlatPrice, "halving_flat_price", "price, difficulty and fees flat through the halving"},
    {PeerStress::kHashrateSurge, "hashrate_surge", "difficulty rises 20% over a quarter, price flat"},
}};

/// Days over which btc_halved_in_quarter and hashrate_surge move ("a quarter").
inline constexpr int kStressRampDays = 91;
/// btc_halved_in_quarter's price at the end of the ramp, as a fraction of the start's.
inline constexpr double kStressPriceFraction = 0.5;
/// hashrate_surge's difficulty at the end of the ramp, as a multiple of the start's.
inline constexpr double kStressDifficultyMultiple = 1.2;
/// replay_2022's first day.
inline constexpr std::string_view kReplayFirstDate = "2022-01-01";

/// The stress's market over [start − 1, start + days − 1] as a daily history in calibrate's
/// columns (PriceUSD, DiffMean, BlkCnt, FeeTotNtv, SplyCur, HashRate): day start − 1 holds the
/// start's values and the supply issued before the start height, so the first day's issuance is
/// known. `real_history` is read by replay_2022 only (2022-01-01..12-31 must have price and
/// difficulty; InputError naming its file and column otherwise).
/// Precondition: days ≥ 1.
[[nodiscard]] market::DailyHistory stress_history(PeerStress stress, const firm::MarketSetup& market, DayNumber start,
                                                  int days, const market::DailyHistory* real_history);

/// The real 2022 that replay_2022 replays, in USD hashprice (history_market_days of the history over
/// 2022, its fill rule included): its first day's and its lowest day's, to print beside the start's.
struct Replay2022Hashprice {
  double first_usd_per_ph_day = 0;   // 2022-01-01
  double low_usd_per_ph_day = 0;
  DayNumber low_day = 0;
};
[[nodiscard]] Replay2022Hashprice replay_2022_hashprice(const market::DailyHistory& real_history);

/// What a firm's strategy came to on a stress market.
struct PeerStressOutcome {
  std::optional<DayNumber> default_day;  // the day it defaulted, if it did
  double btc_sold = 0;                   // by the firm over the days (policy, one-off and remedy sales)
  double btc_sold_forced = 0;            // of which the remedies' (to cover cash shortfalls)
  double btc_liquidated = 0;             // by its lenders
  double btc_mined = 0;
  // What equity holders own on the last day, undiscounted (firm::equity_value_at_horizon_usd: cash +
  // BTC at the last price − debt + the terminal value a run gives its horizon); 0 once defaulted.
  double equity_value_end_usd = 0;
};

/// Runs strategy `strategy` of `scenario` on `history` (a stress_history) from its second day (the
/// start) to its last.
[[nodiscard]] PeerStressOutcome run_peer_stress(const firm::Scenario& scenario, std::size_t strategy,
                                                const market::DailyHistory& history);

}  // namespace hashpivot::study
