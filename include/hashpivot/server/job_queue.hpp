#pragma once
// The work queue of `hashpivot serve`: runs wait in arrival order and run on a fixed number of
// worker threads; the others wait. Every change of a job (started, progress, finished) bumps its
// version and wakes whoever waits for one, so a progress stream sends each state in order and
// never holds the job up: a stream that goes away takes nothing with it.
//
// A job is cancelled through its stop flag, which the simulation polls between blocks of paths
// (sim::RunOptions::stop_signal); a queued job that is cancelled never starts. Finished jobs are
// kept (the newest kKeptFinishedJobs) so that clients can read their outcome afterwards.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hashpivot::server {

enum class JobStatus : std::uint8_t { kQueued, kRunning, kDone, kFailed, kCancelled };

/// "queued", "running", "done", "failed", "cancelled".
[[nodiscard]] const char* job_status_name(JobStatus status);
[[nodiscard]] inline bool is_finished(JobStatus s) { return s != JobStatus::kQueued && s != JobStatus::kRunning; }

/// A job's state as clients see it (a copy, taken under the queue's lock).
struct JobSnapshot {
  std::string id;                  // "job-N", N the arrival number (1, 2, …)
  std::string label;               // what it works on: the scenario's name
  JobStatus status = JobStatus::kQueued;
  std::uint64_t version = 0;       // bumped on every change
  std::int64_t done = 0;           // paths done
  std::int64_t total = 0;          // paths in all
  std::string error;               // failed: why
  std::string error_field;         // failed on an input: its key
  std::optional<std::int64_t> store_id;  // once recorded
};

/// id, label, status, version, done, total; error and field when failed; store_id once recorded.
[[nodiscard]] nlohmann::json snapshot_json(const JobSnapshot& job);

class JobQueue;

/// What a job's work may do: report progress, and hand the simulation the flag that stops it.
class JobContext {
 public:
  JobContext(JobQueue& queue, std::string id, const std::atomic<int>& stop) : queue_(queue), id_(std::move(id)), stop_(stop) {}
  /// Records progress (wakes the streams).
  void progress(std::int64_t done, std::int64_t total);
  /// Non-zero once the job is cancelled (sim::RunOptions::stop_signal).
  [[nodiscard]] const std::atomic<int>& stop_flag() const { return stop_; }

 private:
  JobQueue& queue_;
  std::string id_;
  const std::atomic<int>& stop_;
};

/// The work: runs on a worker thread and returns the run's store id (std::nullopt for work that
/// records no run, such as a study). hashpivot::Cancelled ends the job as cancelled; an InputError
/// fails it with its field; any other exception fails it.
using JobWork = std::function<std::optional<std::int64_t>(JobContext&)>;

class JobQueue {
 public:
  static constexpr std::size_t kKeptFinishedJobs = 500;

  /// `workers` threads (≥ 1); at most `max_waiting` jobs queued (not yet started) at once.
  JobQueue(unsigned workers, std::size_t max_waiting);
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  /// Queues the work of `total` paths; its snapshot, or nullopt when max_waiting jobs already wait.
  std::optional<JobSnapshot> submit(std::string label, std::int64_t total, JobWork work);
  [[nodiscard]] std::optional<JobSnapshot> find(const std::string& id) const;
  /// Every job kept, oldest first.
  [[nodiscard]] std::vector<JobSnapshot> jobs() const;
  /// Asks the job to stop: a queued job is cancelled at once, a running one at the simulation's
  /// next block. The snapshot after the request; nullopt for an unknown id.
  std::optional<JobSnapshot> cancel(const std::string& id);
  /// Waits until the job's version exceeds `seen`, the queue shuts down, or `timeout` passes; the
  /// job's snapshot (nullopt: unknown id).
  std::optional<JobSnapshot> wait_for_change(const std::string& id, std::uint64_t seen, std::chrono::milliseconds timeout) const;
  /// Stops taking jobs, cancels the queued and running ones, wakes every waiter and joins the
  /// workers. Idempotent.
  void shutdown();
  [[nodiscard]] bool shutting_down() const;

 private:
  friend class JobContext;
  struct Job;
  void worker_loop();
  void run_job(Job& job);
  void record_progress(const std::string& id, std::int64_t done, std::int64_t total);
  void finish(Job& job, JobStatus status, std::string error, std::string field, std::optional<std::int64_t> store_id);
  void forget_old_jobs();  // under mutex_

  mutable std::mutex mutex_;
  std::condition_variable work_available_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> waiting_;
  std::deque<std::string> order_;  // ids in arrival order, for listing and forgetting
  std::uint64_t next_number_ = 1;
  std::size_t max_waiting_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace hashpivot::server
