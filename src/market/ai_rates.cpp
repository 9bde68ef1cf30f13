#include "hashpivot/market/ai_rates.hpp"
#include "hashpivot/market/sample_moments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The two GPU generations whose price gap sets the assumed decline, with NVIDIA's launch years
// (A100: GTC May 2020; H100 SXM5: GTC March 2022). Public facts, not in the project's data files.
constexpr std::string_view kOlderGpu = "a100_80gb_sxm4";
constexpr std::string_view kNewerGpu = "h100_80gb_sxm5";
constexpr double kOlderGpuLaunchYear = 2020;
constexpr double kNewerGpuLaunchYear = 2022;
// Asymptotic efficiency of the sample median relative to the mean under normality: SE = √(π/2) σ/√n.
constexpr double kMedianSeFactor = 1.2533141373155003;

double median(std::vector<double> v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (v.size() % 2 == 1) return *mid;
  return 0.5 * (*mid + *std::max_element(v.begin(), mid));
}

std::string key_of(std::string_view gpu_type, std::string_view socket) {
  std::string key(gpu_type);
  if (!socket.empty()) key += "_" + std::string(socket);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

struct GpuSeries {
  std::vector<double> snapshot_medians;
  std::map<DayNumber, std::vector<double>> by_day;
};

}  // namespace

double ai_rate_shock(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step) {
  return rng.normals({random::Stream::kAiRates, path, step, 0})[0];
}

void simulate_gpu_usd_per_gpu_hour(const GpuCloudRate& rate, const random::CounterRng& rng, std::uint32_t path,
                                   std::span<double> out) {
  double n = 0;
  for (std::size_t t = 0; t < out.size(); ++t) {
    if (t > 0) n = rate.step_log_noise(n, ai_rate_shock(rng, path, static_cast<std::uint32_t>(t)));
    out[t] = rate.usd_per_gpu_hour_at(static_cast<double>(t), n);
  }
}

std::vector<FitReport> calibrate_ai_rates(const std::filesystem::path& gpu_csv) {
  csv::Reader reader = csv::Reader::open(gpu_csv);
  const std::size_t c_time = reader.column("timestamp_utc");
  const std::size_t c_type = reader.column("gpu_type");
  const std::size_t c_socket = reader.column("socket_type");
  const std::size_t c_median = reader.column("median");

  std::map<std::string, GpuSeries> series;
  csv::Row row;
  std::size_t rows = 0;
  while (reader.next(row)) {
    const std::optional<DayNumber> day = parse_date(row.text(c_time));
    if (!day) row.fail(c_time, "not a timestamp (expected YYYY-MM-DDThh:mm:ssZ)");
    if (row.empty(c_type)) row.fail(c_type, "empty GPU type");
    const double price = row.as_double(c_median);
    if (!(price > 0)) row.fail(c_median, "not a positive price");
    GpuSeries& s = series[key_of(row.text(c_type), row.text(c_socket))];
    s.snapshot_medians.push_back(price);
    s.by_day[*day].push_back(price);
    ++rows;
  }
  if (!series.contains(std::string(kOlderGpu)) || !series.contains(std::string(kNewerGpu)))
    throw InputError(reader.source(), 0, "gpu_type", fmt::format("needs {} and {} for the assumed decline", kOlderGpu,
                                                                 kNewerGpu));

  const double older = median(series.at(std::string(kOlderGpu)).snapshot_medians);
  const double newer = median(series.at(std::string(kNewerGpu)).snapshot_medians);
  const double decline = std::log(newer / older) / (kNewerGpuLaunchYear - kOlderGpuLaunchYear);

  FitReport gpu;
  gpu.factor = "ai_rates";
  gpu.model = "gpu_cloud_decline";
  gpu.method = fmt::format(
      "{}: level = median of snapshot medians; sigma = sd of day-on-day log changes of the daily median; "
      "decline_per_year ASSUMED = ln({} / {} level) / ({} - {} launch years): {} days of snapshots cannot identify "
      "a generational decline",
      reader.source(), kNewerGpu, kOlderGpu, kNewerGpuLaunchYear, kOlderGpuLaunchYear,
      series.at(std::string(kNewerGpu)).by_day.size());
  gpu.observations = static_cast<int>(rows);
  gpu.log_likelihood = kNaN;
  for (const auto& [key, s] : series) {
    std::vector<double> daily;
    std::vector<DayNumber> days;
    for (const auto& [d, v] : s.by_day) {
      daily.push_back(median(v));
      days.push_back(d);
    }
    const double level_se =
        daily.size() > 1
            ? kMedianSeFactor * std::sqrt(sample_moments(daily).unbiased_variance() / static_cast<double>(daily.size()))
            : kNaN;
    // Day-on-day log changes between consecutive calendar days only.
    std::vector<double> changes;
    for (std::size_t i = 1; i < daily.size(); ++i)
      if (days[i] == days[i - 1] + 1) changes.push_back(std::log(daily[i] / daily[i - 1]));
    double sigma = kNaN, sigma_se = kNaN;
    if (changes.size() > 2) {
      sigma = std::sqrt(sample_moments(changes).unbiased_variance());
      sigma_se = sigma / std::sqrt(2 * static_cast<double>(changes.size() - 1));
    }
    gpu.parameters.push_back({key + "_usd_per_gpu_hour", median(s.snapshot_medians), level_se});
    gpu.parameters.push_back({key + "_sigma_log_daily", sigma, sigma_se});
    const double span_days = static_cast<double>(days.back() - days.front());
    gpu.fit.push_back({key + ": log change of the daily median, first to last day", -decline * span_days / kDaysPerYear,
                       std::log(daily.back() / daily.front()),
                       fmt::format("model: -decline_per_year * {} days / 365; history: {} to {}", span_days,
                                   format_date(days.front()), format_date(days.back()))});
  }
  gpu.parameters.push_back({"decline_per_year", decline, kNaN});

  const ColocationLease lease{};
  FitReport colo;
  colo.factor = "ai_rates";
  colo.model = "colocation_lease";
  colo.method =
      "sourced: usd_per_mw_year = midpoint of docs/model.md §4's $1.2-2.3M per MW-year; escalator_annual = 0, "
      "docs/model.md quotes no escalator rate (configure a contract's)";
  colo.observations = 0;
  colo.log_likelihood = kNaN;
  colo.parameters = {{"usd_per_mw_year", lease.usd_per_mw_year, kNaN}, {"escalator_annual", lease.escalator_annual, kNaN}};
  for (const LeaseDeal& d : kLeaseDeals)
    colo.fit.push_back({fmt::format("implied USD per MW-year, {}", d.name), lease.usd_per_mw_year,
                        d.total_usd / (d.mw * d.years),
                        fmt::format("docs/model.md §4: {} years, {} MW, ${}B; model: the default base rate", d.years, d.mw,
                                    d.total_usd / kBillion)});
  return {gpu, colo};
}

GpuCloudRate gpu_cloud_rate_from_report(const FitReport& r, std::string_view key) {
  const std::string k(key);
  return {find_estimate(r, k + "_usd_per_gpu_hour").value, find_estimate(r, "decline_per_year").value,
          find_estimate(r, k + "_sigma_log_daily").value};
}

ColocationLease colocation_lease_from_report(const FitReport& r) {
  return {find_estimate(r, "usd_per_mw_year").value, find_estimate(r, "escalator_annual").value};
}

}  // namespace hashpivot::market
