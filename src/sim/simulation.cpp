#include "hashpivot/sim/simulation.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <span>
#include <thread>
#include <tuple>

#include "hashpivot/core/calendar.hpp"
#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/sim/market_replay.hpp"

#include "accumulator.hpp"
#include "path_worker.hpp"

namespace hashpivot::sim {

StrategyStatistics::StrategyStatistics(std::string strategy_name, std::size_t months, std::uint64_t paths,
                                       std::size_t strategies)
    : name(std::move(strategy_name)),
      default_month(months),
      npv_worst(kCvarAlpha, paths),
      npv_vs_each(strategies),
      survivor_net_worth_worst(kCvarAlpha, paths) {}

void StrategyStatistics::merge(const StrategyStatistics& o) {
  std::apply([&](auto&... mine) { std::apply([&](const auto&... theirs) { (mine.merge(theirs), ...); }, accumulators(o)); },
             accumulators(*this));
}

void StrategyStatistics::clear() {
  std::apply([](auto&... accumulator) { (accumulator.clear(), ...); }, accumulators(*this));
}

void StrategyStatistics::serialize(stats::ByteWriter& out) const {
  out.write_string(name);
  std::apply([&](const auto&... accumulator) { (accumulator.serialize(out), ...); }, accumulators(*this));
}

void StrategyStatistics::deserialize(stats::ByteReader& in) {
  if (in.read_string() != name) throw stats::SerializationError("StrategyStatistics: another strategy's name");
  std::apply([&](auto&... accumulator) { (accumulator.deserialize(in), ...); }, accumulators(*this));
}

double CrraUtility::utility(double npv_usd) const {
  const double wealth = wealth_offset_usd + npv_usd;
  if (gamma == 0) return wealth;
  if (gamma == 1) return std::log(wealth);
  return std::pow(wealth, 1.0 - gamma) / (1.0 - gamma);
}

double CrraUtility::certainty_equivalent_npv_usd(double expected_utility) const {
  double wealth = expected_utility;
  if (gamma == 1) {
    wealth = std::exp(expected_utility);
  } else if (gamma != 0) {
    wealth = std::pow(expected_utility * (1.0 - gamma), 1.0 / (1.0 - gamma));
  }
  return wealth - wealth_offset_usd;
}

double CrraUtility::marginal_utility(double npv_usd) const {
  return std::pow(wealth_offset_usd + npv_usd, -gamma);
}

const char* accounts_field_name(AccountsField field) {
  return kMonthlyAccountsFields[static_cast<std::size_t>(field)].name;
}

MonthlyAccounts::MonthlyAccounts(std::size_t strategies, std::size_t months)
    : months_(months), cells_(strategies * months * kFields) {}

void MonthlyAccounts::merge(const MonthlyAccounts& other) {
  for (std::size_t i = 0; i < cells_.size(); ++i) cells_[i].merge(other.cells_[i]);
}

void MonthlyAccounts::clear() {
  for (stats::Moments& m : cells_) m.clear();
}

void MonthlyAccounts::serialize(stats::ByteWriter& out) const {
  out.write_varint(strategies());
  out.write_varint(months_);
  for (const stats::Moments& m : cells_) m.serialize(out);
}

void MonthlyAccounts::deserialize(stats::ByteReader& in) {
  stats::ByteReader::expect("MonthlyAccounts strategies", in.read_varint(), strategies());
  stats::ByteReader::expect("MonthlyAccounts months", in.read_varint(), months_);
  for (stats::Moments& m : cells_) m.deserialize(in);
}

namespace {

// The framing of every message between ranks: a magic number ("hpstats" + 0), the format version,
// what the message holds (a chunk index, or kTotalMessage) and the run it belongs to, then the
// accumulator. Reading checks each field, so ranks that run different builds or inputs fail
// loudly instead of merging mismatched statistics.
constexpr std::uint64_t kMessageMagic = 0x0073746174737068;  // "hpstats\0", little-endian
constexpr std::uint64_t kTotalMessage = ~std::uint64_t{0};

void write_message(stats::ByteWriter& out, std::uint64_t what, const RunOptions& options, const detail::Accumulator& accumulator) {
  out.clear();
  out.write_u64(kMessageMagic);
  out.write_u64(kStatisticsFormatVersion);
  out.write_u64(what);
  out.write_u64(options.seed);
  out.write_u64(static_cast<std::uint64_t>(options.paths));
  accumulator.serialize(out);
}

void read_message(std::span<const std::byte> bytes, std::uint64_t what, int from_rank, const RunOptions& options,
                  detail::Accumulator& accumulator) {
  try {
    stats::ByteReader in(bytes);
    stats::ByteReader::expect("magic number", in.read_u64(), kMessageMagic);
    stats::ByteReader::expect("statistics format version", in.read_u64(), kStatisticsFormatVersion);
    stats::ByteReader::expect("chunk", in.read_u64(), what);
    stats::ByteReader::expect("seed", in.read_u64(), options.seed);
    stats::ByteReader::expect("paths", in.read_u64(), static_cast<std::uint64_t>(options.paths));
    accumulator.deserialize(in);
    if (!in.at_end()) throw stats::SerializationError("bytes after the statistics");
  } catch (const stats::SerializationError& e) {
    throw stats::SerializationError("statistics from rank " + std::to_string(from_rank) + " do not match this run (" +
                             e.what() + "); do all ranks run the same hashpivot build on the same inputs?");
  }
}

/// The partition of a run's paths: blocks of kPathsPerBlock, chunks of kBlocksPerChunk blocks,
/// chunk c on rank c mod ranks; and the threads a rank runs them on.
struct BlockPlan {
  std::uint32_t blocks = 0;
  std::uint32_t chunks = 0;
  std::vector<std::uint32_t> own_blocks;  // this rank's blocks, ascending
  unsigned threads = 0;                   // at most, per rank: the same on every rank and for one process
  unsigned workers_here = 0;              // threads this rank uses (≤ threads; fewer when it owns few blocks)

  /// One past the last block of chunk `chunk`.
  [[nodiscard]] std::uint32_t chunk_end(std::uint32_t chunk) const { return std::min(blocks, (chunk + 1) * kBlocksPerChunk); }
};

BlockPlan plan_blocks(const RunOptions& options, int rank, int ranks) {
  BlockPlan plan;
  plan.blocks = static_cast<std::uint32_t>((options.paths + kPathsPerBlock - 1) / kPathsPerBlock);
  plan.chunks = (plan.blocks + kBlocksPerChunk - 1) / kBlocksPerChunk;
  // This rank's blocks in ascending order: those of chunks rank, rank + ranks, rank + 2·ranks, …
  plan.own_blocks.reserve(plan.blocks);
  for (auto chunk = static_cast<std::uint32_t>(rank); chunk < plan.chunks; chunk += static_cast<std::uint32_t>(ranks))
    for (std::uint32_t block = chunk * kBlocksPerChunk; block < plan.chunk_end(chunk); ++block) plan.own_blocks.push_back(block);
  plan.threads = std::min<unsigned>(options.threads, plan.blocks);
  plan.workers_here = static_cast<unsigned>(std::min<std::size_t>(plan.threads, plan.own_blocks.size()));
  return plan;
}

/// The run's total, merged chunk by chunk in ascending chunk order so that every floating-point sum
/// is the same for any number of ranks: the root merges its own chunks and the other ranks' (as
/// they arrive, in order); another rank sends each finished chunk to the root. finish() ends with
/// the total on every rank.
class ChunkMerger {
 public:
  ChunkMerger(const std::vector<std::string>& names, std::size_t months, const RunOptions& options,
              const ProcessGroup& group, const std::optional<std::vector<double>>& npv_control_means)
      : total(names, months, static_cast<std::uint64_t>(options.paths), npv_control_means),
        chunk(names, months, static_cast<std::uint64_t>(options.paths), npv_control_means),
        options_(options),
        group_(group),
        ranks_(group.size()) {
    // The root's buffer for other ranks' chunks.
    if (group.is_root() && ranks_ > 1)
      received_.emplace(names, months, static_cast<std::uint64_t>(options.paths), npv_control_means);
  }

  detail::Accumulator total;
  detail::Accumulator chunk;  // this rank's chunk being filled, block by block

  /// `chunk` holds every block of chunk `index`: merge it (root) or send it (others), then clear it.
  void finish_chunk(std::uint32_t index) {
    if (group_.is_root()) {
      merge_received_before(index);
      total.merge(chunk);
      merged_one();
    } else {
      write_message(message_, index, options_, chunk);
      group_.send_to_root(message_.bytes());
    }
    chunk.clear();
  }

  /// After the last of this rank's chunks: the root merges the rest and broadcasts the total.
  void finish(std::uint32_t chunks) {
    if (ranks_ == 1) return;
    std::vector<std::byte> bytes;
    if (group_.is_root()) {
      merge_received_before(chunks);
      write_message(message_, kTotalMessage, options_, total);
      bytes = message_.bytes();
    }
    group_.broadcast(bytes);
    if (!group_.is_root()) read_message(bytes, kTotalMessage, 0, options_, total);
  }

 private:
  void merged_one() {
    ++merged_chunks_;
    if (options_.progress)
      options_.progress(std::min<std::int64_t>(options_.paths, std::int64_t{merged_chunks_} * kBlocksPerChunk * kPathsPerBlock),
                        options_.paths);
  }
  /// At the root: receive and merge the other ranks' chunks before `end`, in order.
  void merge_received_before(std::uint32_t end) {
    while (merged_chunks_ < end) {
      const int owner = static_cast<int>(merged_chunks_ % static_cast<std::uint32_t>(ranks_));
      const std::vector<std::byte> bytes = group_.receive_from(owner);
      read_message(bytes, merged_chunks_, owner, options_, *received_);
      total.merge(*received_);
      merged_one();
    }
  }

  const RunOptions& options_;
  const ProcessGroup& group_;
  int ranks_;
  std::optional<detail::Accumulator> received_;
  stats::ByteWriter message_;
  std::uint32_t merged_chunks_ = 0;  // at the root: the next chunk to merge into the total
};

/// Runs this rank's blocks on its workers, one thread each (the calling thread is worker 0), and
/// merges every finished block into merger.chunk in ascending block order. Each block runs into a
/// slot of a ring: block i of own_blocks uses slot i % ring and may start once block i − ring has
/// been merged. Two slots more than threads let the workers run ahead while the main thread merges,
/// and bound the memory whatever the number of paths.
/// Stops early (returns false) once `stop_signal` holds a signal: no block starts after that, the
/// blocks in progress finish, and their results are dropped.
bool run_own_blocks(const BlockPlan& plan, std::vector<detail::Worker>& workers, std::vector<detail::Accumulator>& slots,
                    std::int64_t total_paths, ChunkMerger& merger, const std::atomic<int>* stop_signal) {
  // Threads claim the blocks in order as they come free (no barrier after each round of blocks:
  // blocks whose firms default early finish sooner). Only the main thread merges, in ascending
  // block order: the merge tree, and so every floating-point sum, is the same for any number of
  // threads and ranks; and only the main thread talks to the other ranks (MPI_THREAD_FUNNELED).
  const std::size_t ring = slots.size();
  const std::size_t own = plan.own_blocks.size();
  const unsigned workers_here = plan.workers_here;
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next_claim = 0;             // guarded by mutex
  std::size_t merged = 0;                 // guarded by mutex; written by the main thread only
  std::vector<std::uint8_t> done(ring);   // guarded by mutex: the slot's block has finished
  bool stopping = false;                  // guarded by mutex; set by the main thread only
  const auto stop_asked = [&] { return stop_signal != nullptr && stop_signal->load(std::memory_order_relaxed) != 0; };
  const auto slot_free = [&](std::size_t i) { return i < merged + ring; };
  const auto finish_block = [&](std::size_t i) {
    {
      const std::lock_guard lock(mutex);
      done[i % ring] = 1;
    }
    changed.notify_all();
  };
  const auto worker_loop = [&](unsigned t) {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        if (next_claim >= own || stopping) return;
        i = next_claim++;
        changed.wait(lock, [&] { return slot_free(i) || stopping; });
        if (stopping) return;
      }
      workers[t].run_block(plan.own_blocks[i], total_paths, slots[i % ring]);
      finish_block(i);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers_here; ++t) pool.emplace_back(worker_loop, t);
  for (;;) {
    std::size_t claimed = own;
    bool merge_next = false;
    const bool stop = stop_asked();  // once per block merged or run here: between paths, never inside one
    {
      std::unique_lock lock(mutex);
      if (stop) stopping = true;
      if (merged == own || stopping) break;
      changed.wait(lock, [&] {
        return done[merged % ring] != 0 || (workers_here > 0 && next_claim < own && slot_free(next_claim));
      });
      if (done[merged % ring] != 0) {
        merge_next = true;
      } else {
        claimed = next_claim++;
      }
    }
    if (merge_next) {
      // The slot is the main thread's until merged moves past it.
      const std::size_t i = merged;
      const std::uint32_t block = plan.own_blocks[i];
      merger.chunk.merge(slots[i % ring]);
      slots[i % ring].clear();
      const std::uint32_t index = block / kBlocksPerChunk;
      if (block + 1 == plan.chunk_end(index)) merger.finish_chunk(index);
      {
        const std::lock_guard lock(mutex);
        done[i % ring] = 0;
        ++merged;
      }
      changed.notify_all();
    } else {
      workers[0].run_block(plan.own_blocks[claimed], total_paths, slots[claimed % ring]);
      finish_block(claimed);
    }
  }
  changed.notify_all();  // workers waiting for a slot see `stopping`
  for (std::thread& th : pool) th.join();
  return !stopping;
}

/// The run of `firms` on `market` (run_simulation's and run_peers' body): its result is named
/// `name` and dated by the first firm's scenario.
RunResult run_firms(const std::string& name, std::span<const RunFirm> firms, const model::MarketModel& market,
                    const RunOptions& options) {
  require(options.paths >= 1, "paths", "must be at least 1");
  require(options.threads >= 1, "threads", "must be at least 1");
  assert(!firms.empty());
  const auto started = std::chrono::steady_clock::now();
  const ProcessGroup alone;
  const ProcessGroup& group = options.group != nullptr ? *options.group : alone;
  const firm::RunSettings& settings = firms.front().scenario->run;
  for ([[maybe_unused]] const RunFirm& f : firms)
    assert(f.scenario->run.start_date == settings.start_date && f.scenario->run.horizon_years == settings.horizon_years &&
           f.strategy < f.scenario->strategies.size());
  const Calendar calendar = make_calendar(settings.start_date, settings.horizon_years);
  const std::size_t months = calendar.months();
  const BlockPlan plan = plan_blocks(options, group.rank(), group.size());
  const unsigned threads = plan.threads;
  std::vector<std::string> names;
  names.reserve(firms.size());
  for (const RunFirm& f : firms) names.push_back(f.label);

  // The controls' known means (RunOptions::variance_reduction); none when the price model has no closed form.
  std::optional<std::vector<double>> npv_control_means;
  if (options.variance_reduction) npv_control_means = model::PriceControls::means(market, calendar.horizon_days);
  if (options.block_step && !firm::lane_instruction_set_available(options.lane_instruction_set))
    throw std::invalid_argument("block step: this build or processor has no copy of it for " +
                                std::string(firm::name_of(options.lane_instruction_set)));
  MarketReplay* const replay = options.market_replay;
  if (replay != nullptr) {
    if (!replay->matches(market, options.seed, options.paths, calendar.horizon_days, options.variance_reduction))
      throw std::invalid_argument("market replay: stored for another market, seed, path count, horizon or variance reduction");
    for (const RunFirm& f : firms)
      if (f.scenario->pool.pays_luck() && !replay->with_network())
        throw std::invalid_argument("market replay: a firm's pool pays its luck, and the replay keeps no network days");
  }
  ChunkMerger merger(names, months, options, group, npv_control_means);
  const auto paths = static_cast<std::uint64_t>(options.paths);
  std::vector<detail::Accumulator> slots;
  std::vector<detail::Worker> workers;
  slots.reserve(plan.workers_here + 2);
  workers.reserve(plan.workers_here);
  for (std::size_t i = 0; i < plan.workers_here + 2; ++i) slots.emplace_back(names, months, paths, npv_control_means);
  const std::size_t npv_controls = npv_control_means ? npv_control_means->size() : 0;
  for (unsigned t = 0; t < plan.workers_here; ++t)
    workers.emplace_back(firms, market, calendar, options.seed, options.utility, options.variance_reduction, npv_controls,
                         replay, options.block_step, options.lane_instruction_set);
  if (!run_own_blocks(plan, workers, slots, options.paths, merger, options.stop_signal))
    throw Cancelled(options.stop_signal->load());
  merger.finish(plan.chunks);
  detail::Accumulator& total = merger.total;

  RunResult result{name,
                   options.seed,
                   options.paths,
                   threads,
                   settings.start_date,
                   calendar.horizon_days,
                   calendar.month_labels,
                   std::move(total.strategies),
                   std::move(total.firm_series),
                   std::move(total.market_series),
                   std::move(total.accounts),
                   market.description,
                   0.0};
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.variance_reduction = options.variance_reduction;
  return result;
}

}  // namespace

RunResult run_simulation(const firm::Scenario& scenario, const model::MarketModel& market, const RunOptions& options) {
  assert(!scenario.strategies.empty());  // io::read_scenario requires one
  std::vector<RunFirm> firms;
  firms.reserve(scenario.strategies.size());
  for (std::size_t s = 0; s < scenario.strategies.size(); ++s) firms.push_back({&scenario, s, scenario.strategies[s].name});
  return run_firms(scenario.run.name, firms, market, options);
}

RunResult run_peers(const std::string& name, std::span<const RunFirm> firms, const model::MarketModel& market,
                    const RunOptions& options) {
  return run_firms(name, firms, market, options);
}

}  // namespace hashpivot::sim
