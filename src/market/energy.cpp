#include "hashpivot/market/energy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Model statistics by simulation: one long path from the stationary mean with a fixed seed (the
// report is reproducible); the first kBurnInDays are dropped.
constexpr std::uint64_t kGofSeed = 1;
constexpr std::size_t kGofDays = 100000;
constexpr std::size_t kBurnInDays = 1000;
/// A daily level reverting slower than this (nearly a unit root) has no stationary mean price worth
/// simulating: the model's mean price is then left unknown.
constexpr double kMinSimulatedKappaPerDay = 1e-4;

std::string hour_name(std::size_t h) { return fmt::format("hour_{:02d}_shape", h + 1); }

// "HH:00" with HH in 01 … 24 → 0 … 23; -1 otherwise.
int parse_hour_ending(std::string_view text) {
  if (text.size() != 5 || text[2] != ':' || text[3] != '0' || text[4] != '0') return -1;
  if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9') return -1;
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  return hour >= 1 && hour <= static_cast<int>(kHoursPerDay) ? hour - 1 : -1;
}

}  // namespace

SpikeShocks energy_shocks(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step) {
  return draw_spike_shocks(rng, random::Stream::kEnergyPrice, random::Stream::kEnergySpikes, path, step);
}

void simulate_energy_hourly_usd_per_mwh(const EnergyIndex& index, const random::CounterRng& rng, std::uint32_t path,
                                        double x0, std::span<double> out) {
  double x = x0;
  for (std::size_t d = 0; d * kHoursPerDay < out.size(); ++d) {
    if (d > 0) x = index.step_log(x, energy_shocks(rng, path, static_cast<std::uint32_t>(d)));
    for (std::size_t h = 0; h < kHoursPerDay && d * kHoursPerDay + h < out.size(); ++h)
      out[d * kHoursPerDay + h] = index.price_usd_per_mwh(x, h);
  }
}

HourlyPrices read_ercot_hourly_csv(const std::filesystem::path& csv_path, const std::string& column) {
  csv::Reader reader = csv::Reader::open(csv_path);
  const std::size_t c_date = reader.column("delivery_date");
  const std::size_t c_hour = reader.column("hour_ending");
  const std::size_t c_flag = reader.column("repeated_hour_flag");
  const std::size_t c_price = reader.column(column);

  HourlyPrices out;
  out.source = reader.source();
  out.column = column;
  bool any = false;
  DayNumber last_day = 0;
  csv::Row row;
  while (reader.next(row)) {
    const std::optional<DayNumber> day = parse_date(row.text(c_date));
    if (!day) row.fail(c_date, "not a date (expected YYYY-MM-DD)");
    if (!any) {
      out.first_day = *day;
      any = true;
    } else if (*day < last_day) {
      row.fail(c_date, "dates out of order");
    }
    last_day = *day;
    const int hour = parse_hour_ending(row.text(c_hour));
    if (hour < 0) row.fail(c_hour, "not an hour ending (expected 01:00 … 24:00)");
    const std::string_view flag = row.text(c_flag);
    if (flag != "Y" && flag != "N" && !flag.empty()) row.fail(c_flag, "expected Y or N");
    const double price = row.as_double(c_price);

    const auto index = static_cast<std::size_t>(*day - out.first_day) * kHoursPerDay + static_cast<std::size_t>(hour);
    if (out.usd_per_mwh.size() <= index) out.usd_per_mwh.resize((index / kHoursPerDay + 1) * kHoursPerDay, kNaN);
    double& slot = out.usd_per_mwh[index];
    if (std::isnan(slot)) {
      slot = price;
    } else if (flag == "Y") {
      slot = 0.5 * (slot + price);  // the DST fall-back hour: the mean of its two prices
    } else {
      row.fail(c_hour, "hour repeated without repeated_hour_flag Y");
    }
  }
  if (!any) throw InputError(out.source, 0, column, "no data rows");
  return out;
}

namespace {

/// ln P of every hour, with prices below kLogPriceFloorUsdPerMwh raised to it (NaN: unknown), and
/// the counts of the hours known, at or below 0, and floored.
struct FlooredLogs {
  std::vector<double> y;
  std::size_t known_hours = 0;
  std::size_t nonpositive_hours = 0;
  std::size_t floored_hours = 0;
  double price_sum = 0;
};

FlooredLogs floored_logs(const HourlyPrices& prices) {
  const std::span<const double> p(prices.usd_per_mwh);
  FlooredLogs out;
  out.y.assign(p.size(), kNaN);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(p[i])) continue;
    ++out.known_hours;
    out.price_sum += p[i];
    if (p[i] <= 0) ++out.nonpositive_hours;
    if (p[i] < kLogPriceFloorUsdPerMwh) ++out.floored_hours;
    out.y[i] = std::log(std::max(p[i], kLogPriceFloorUsdPerMwh));
  }
  if (out.known_hours == 0) throw InputError(prices.source, 0, prices.column, "no known hourly prices");
  return out;
}

/// s_h, the mean within-day log deviation of hour h over the complete days, and its SE.
struct HourlyShape {
  std::array<double, kHoursPerDay> shape{};
  std::array<double, kHoursPerDay> se{};
  std::size_t complete_days = 0;
};

HourlyShape hourly_shape(const HourlyPrices& prices, const std::vector<double>& y) {
  HourlyShape out;
  std::array<double, kHoursPerDay> shape2{};
  for (std::size_t d = 0; d < prices.days(); ++d) {
    const std::span<const double> yd(y.data() + d * kHoursPerDay, kHoursPerDay);
    if (std::any_of(yd.begin(), yd.end(), [](double v) { return std::isnan(v); })) continue;
    double mean = 0;
    for (double v : yd) mean += v;
    mean /= static_cast<double>(kHoursPerDay);
    for (std::size_t h = 0; h < kHoursPerDay; ++h) {
      out.shape[h] += yd[h] - mean;
      shape2[h] += (yd[h] - mean) * (yd[h] - mean);
    }
    ++out.complete_days;
  }
  if (out.complete_days < 2) throw InputError(prices.source, 0, prices.column, "fewer than 2 complete days");
  const auto nc = static_cast<double>(out.complete_days);
  double shape_mean = 0;
  for (std::size_t h = 0; h < kHoursPerDay; ++h) {
    out.shape[h] /= nc;
    out.se[h] = std::sqrt(std::max(shape2[h] / nc - out.shape[h] * out.shape[h], 0.0) * nc / (nc - 1) / nc);
    shape_mean += out.shape[h];
  }
  shape_mean /= static_cast<double>(kHoursPerDay);
  for (double& s : out.shape) s -= shape_mean;  // zero up to rounding already; make it exact-ish
  return out;
}

/// x_d, the mean over the day's known hours of ln P − s_h (NaN for a day with none).
std::vector<double> daily_log_levels(std::size_t days, const std::vector<double>& y,
                                     const std::array<double, kHoursPerDay>& shape) {
  std::vector<double> x(days, kNaN);
  for (std::size_t d = 0; d < days; ++d) {
    double sum = 0;
    int n = 0;
    for (std::size_t h = 0; h < kHoursPerDay; ++h)
      if (const double v = y[d * kHoursPerDay + h]; !std::isnan(v)) {
        sum += v - shape[h];
        ++n;
      }
    if (n > 0) x[d] = sum / n;
  }
  return x;
}

/// The history's side of the goodness of fit.
struct HistoryStatistics {
  double x_sd = 0;                 // sd of the daily log level
  std::size_t spike_hours = 0;     // hours above twice their day's mean price
  std::size_t spike_base = 0;      // known hours of days with a positive mean
  std::size_t peak_hour = 0;       // hour of the highest mean price
};

HistoryStatistics history_statistics(const HourlyPrices& prices, const std::vector<double>& x) {
  const std::span<const double> p(prices.usd_per_mwh);
  HistoryStatistics out;
  double xs = 0, xs2 = 0;
  std::size_t xn = 0;
  for (double v : x)
    if (!std::isnan(v)) {
      xs += v;
      xs2 += v * v;
      ++xn;
    }
  const double x_mean = xs / static_cast<double>(xn);
  out.x_sd = std::sqrt(std::max(xs2 / static_cast<double>(xn) - x_mean * x_mean, 0.0));
  std::array<double, kHoursPerDay> hour_sum{};
  std::array<std::size_t, kHoursPerDay> hour_n{};
  for (std::size_t d = 0; d < prices.days(); ++d) {
    const std::span<const double> pd = p.subspan(d * kHoursPerDay, kHoursPerDay);
    double sum = 0;
    int n = 0;
    for (std::size_t h = 0; h < kHoursPerDay; ++h)
      if (!std::isnan(pd[h])) {
        sum += pd[h];
        ++n;
        hour_sum[h] += pd[h];
        ++hour_n[h];
      }
    if (n == 0 || !(sum > 0)) continue;  // the "2× the day's mean" test needs a positive mean
    const double day_mean = sum / n;
    for (double v : pd)
      if (!std::isnan(v)) {
        ++out.spike_base;
        if (v > 2 * day_mean) ++out.spike_hours;
      }
  }
  for (std::size_t h = 1; h < kHoursPerDay; ++h)
    if (hour_sum[h] / static_cast<double>(hour_n[h]) > hour_sum[out.peak_hour] / static_cast<double>(hour_n[out.peak_hour]))
      out.peak_hour = h;
  return out;
}

/// The model's side: the shape is deterministic, so an hour is above twice its day's mean exactly
/// when e^{s_h} > 2 · mean_h e^{s_h}; the mean price is E[e^x] · mean_h e^{s_h} (E[e^x] simulated).
struct ModelStatistics {
  std::ptrdiff_t spike_hours = 0;
  std::size_t peak_hour = 0;
  double mean_price = kNaN;
};

ModelStatistics model_statistics(const LogOuSpikes& q, const std::array<double, kHoursPerDay>& shape) {
  ModelStatistics out;
  double shape_exp_mean = 0;
  for (double s : shape) shape_exp_mean += std::exp(s);
  shape_exp_mean /= static_cast<double>(kHoursPerDay);
  out.spike_hours = std::count_if(shape.begin(), shape.end(), [&](double s) { return std::exp(s) > 2 * shape_exp_mean; });
  out.peak_hour = static_cast<std::size_t>(std::max_element(shape.begin(), shape.end()) - shape.begin());
  if (q.kappa_per_day > kMinSimulatedKappaPerDay) {
    std::vector<double> path(kGofDays);
    simulate_log_ou_spikes(q, random::CounterRng(kGofSeed), random::Stream::kEnergyPrice,
                           random::Stream::kEnergySpikes, 0, q.stationary_mean(), path);
    double m = 0;
    for (std::size_t t = kBurnInDays; t < path.size(); ++t) m += std::exp(path[t]);
    out.mean_price = m / static_cast<double>(path.size() - kBurnInDays) * shape_exp_mean;
  }
  return out;
}

}  // namespace

FitReport calibrate_energy_index(const HourlyPrices& prices) {
  const FlooredLogs logs = floored_logs(prices);
  const HourlyShape shape = hourly_shape(prices, logs.y);
  const std::vector<double> x = daily_log_levels(prices.days(), logs.y, shape.shape);
  const LogOuSpikesFit f = fit_on_file(x, prices.source, prices.column);
  const LogOuSpikes& q = f.process;

  FitReport report;
  report.factor = "energy";
  report.model = "log_ou_spikes_hourly";
  report.method = fmt::format(
      "{} ({}): hourly prices below {} USD/MWh raised to it for the log; hourly shape = mean within-day log "
      "deviation over {} complete days (SE as if days were independent); daily log level by maximum likelihood "
      "(AR(1) with a normal/spike mixture innovation, SE from the observed information)",
      prices.source, prices.column, kLogPriceFloorUsdPerMwh, shape.complete_days);
  report.observations = f.observations;
  report.log_likelihood = f.log_likelihood;
  report.parameters = log_ou_spikes_estimates(f, "theta_log_usd_per_mwh", "theta_usd_per_mwh");
  for (std::size_t h = 0; h < kHoursPerDay; ++h) report.parameters.push_back({hour_name(h), shape.shape[h], shape.se[h]});

  const HistoryStatistics history = history_statistics(prices, x);
  const ModelStatistics model = model_statistics(q, shape.shape);
  report.fit.push_back({"mean hourly price (USD/MWh)", model.mean_price,
                        logs.price_sum / static_cast<double>(logs.known_hours),
                        "model: simulated stationary E[exp(x)] (1 path, 100000 days, seed 1) times mean exp(s_h); "
                        "history: prices as published"});
  report.fit.push_back({"sd of the daily log level x_d", std::sqrt(q.stationary_variance()), history.x_sd,
                        "model: closed form sqrt(Var(innovation)/(1-(1-kappa)^2)); history: sd of x_d"});
  report.fit.push_back({"share of hours above 2x their day's mean price",
                        static_cast<double>(model.spike_hours) / static_cast<double>(kHoursPerDay),
                        history.spike_base > 0
                            ? static_cast<double>(history.spike_hours) / static_cast<double>(history.spike_base)
                            : kNaN,
                        "model: exact (no intraday noise, only the shape); history: days with a positive mean"});
  report.fit.push_back({"share of hours at or below 0 USD/MWh", 0.0,
                        static_cast<double>(logs.nonpositive_hours) / static_cast<double>(logs.known_hours),
                        fmt::format("{} of {} hours <= 0; {} hours below {} USD/MWh raised to it for the log fit",
                                    logs.nonpositive_hours, logs.known_hours, logs.floored_hours,
                                    kLogPriceFloorUsdPerMwh)});
  report.fit.push_back({"hour ending of the highest price (1-24)", static_cast<double>(model.peak_hour + 1),
                        static_cast<double>(history.peak_hour + 1),
                        "model: argmax of the hourly shape; history: argmax of the mean published price by hour"});
  return report;
}

std::vector<FitReport> calibrate_energy_ercot(const std::filesystem::path& csv, const std::string& column) {
  return {calibrate_energy_index(read_ercot_hourly_csv(csv, column))};
}

EnergyIndex energy_index_from_report(const FitReport& r) {
  EnergyIndex index{log_ou_spikes_from_report(r, "theta_log_usd_per_mwh"), {}};
  for (std::size_t h = 0; h < kHoursPerDay; ++h) index.hourly_shape[h] = find_estimate(r, hour_name(h)).value;
  return index;
}

}  // namespace hashpivot::market
