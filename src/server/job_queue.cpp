#include "hashpivot/server/job_queue.hpp"

#include <csignal>
#include <exception>

#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::server {

struct JobQueue::Job {
  JobSnapshot state;
  JobWork work;
  std::atomic<int> stop{0};  // the signal number the simulation sees; SIGTERM once cancelled
};

const char* job_status_name(JobStatus status) {
  switch (status) {
    case JobStatus::kQueued: return "queued";
    case JobStatus::kRunning: return "running";
    case JobStatus::kDone: return "done";
    case JobStatus::kFailed: return "failed";
    case JobStatus::kCancelled: return "cancelled";
  }
  return "";
}

nlohmann::json snapshot_json(const JobSnapshot& job) {
  nlohmann::json out = {{"id", job.id},       {"label", job.label}, {"status", job_status_name(job.status)},
                        {"version", job.version}, {"done", job.done}, {"total", job.total}};
  if (job.status == JobStatus::kFailed) {
    out["error"] = job.error;
    out["field"] = job.error_field;
  }
  if (job.store_id) out["store_id"] = *job.store_id;
  return out;
}

void JobContext::progress(std::int64_t done, std::int64_t total) { queue_.record_progress(id_, done, total); }

JobQueue::JobQueue(unsigned workers, std::size_t max_waiting) : max_waiting_(max_waiting) {
  for (unsigned i = 0; i < std::max(1u, workers); ++i) workers_.emplace_back([this] { worker_loop(); });
}

JobQueue::~JobQueue() { shutdown(); }

std::optional<JobSnapshot> JobQueue::submit(std::string label, std::int64_t total, JobWork work) {
  const std::lock_guard lock(mutex_);
  if (stopping_ || waiting_.size() >= max_waiting_) return std::nullopt;
  auto job = std::make_shared<Job>();
  job->state.id = "job-" + std::to_string(next_number_++);
  job->state.label = std::move(label);
  job->state.total = total;
  job->work = std::move(work);
  jobs_[job->state.id] = job;
  order_.push_back(job->state.id);
  waiting_.push_back(job);
  forget_old_jobs();
  work_available_.notify_one();
  return job->state;
}

std::optional<JobSnapshot> JobQueue::find(const std::string& id) const {
  const std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second->state;
}

std::vector<JobSnapshot> JobQueue::jobs() const {
  const std::lock_guard lock(mutex_);
  std::vector<JobSnapshot> out;
  for (const std::string& id : order_) out.push_back(jobs_.at(id)->state);
  return out;
}

std::optional<JobSnapshot> JobQueue::cancel(const std::string& id) {
  std::unique_lock lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  Job& job = *it->second;
  job.stop.store(SIGTERM);
  if (job.state.status == JobStatus::kQueued) {
    std::erase(waiting_, it->second);
    job.state.status = JobStatus::kCancelled;
    ++job.state.version;
    changed_.notify_all();
  }
  return job.state;
}

std::optional<JobSnapshot> JobQueue::wait_for_change(const std::string& id, std::uint64_t seen,
                                                     std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  const std::shared_ptr<Job> job = it->second;  // kept alive while waiting, even if forgotten
  changed_.wait_for(lock, timeout, [&] { return stopping_ || job->state.version > seen; });
  return job->state;
}

void JobQueue::shutdown() {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->stop.store(SIGTERM);
    for (const auto& job : waiting_) {
      job->state.status = JobStatus::kCancelled;
      ++job->state.version;
    }
    waiting_.clear();
  }
  work_available_.notify_all();
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
  const std::lock_guard lock(mutex_);
  workers_.clear();
}

bool JobQueue::shutting_down() const {
  const std::lock_guard lock(mutex_);
  return stopping_;
}

void JobQueue::worker_loop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      work_available_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      job = waiting_.front();
      waiting_.pop_front();
      job->state.status = JobStatus::kRunning;
      ++job->state.version;
    }
    changed_.notify_all();
    run_job(*job);
  }
}

void JobQueue::run_job(Job& job) {
  JobContext context(*this, job.state.id, job.stop);
  try {
    const std::optional<std::int64_t> store_id = job.work(context);
    finish(job, JobStatus::kDone, "", "", store_id);
  } catch (const Cancelled&) {
    finish(job, JobStatus::kCancelled, "", "", std::nullopt);
  } catch (const InputError& e) {
    finish(job, JobStatus::kFailed, e.what(), e.field(), std::nullopt);
  } catch (const std::exception& e) {
    finish(job, JobStatus::kFailed, e.what(), "", std::nullopt);
  }
}

void JobQueue::finish(Job& job, JobStatus status, std::string error, std::string field,
                      std::optional<std::int64_t> store_id) {
  {
    const std::lock_guard lock(mutex_);
    job.state.status = status;
    job.state.error = std::move(error);
    job.state.error_field = std::move(field);
    job.state.store_id = store_id;
    job.work = nullptr;  // frees the scenario it held
    ++job.state.version;
  }
  changed_.notify_all();
}

void JobQueue::record_progress(const std::string& id, std::int64_t done, std::int64_t total) {
  {
    const std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    it->second->state.done = done;
    it->second->state.total = total;
    ++it->second->state.version;
  }
  changed_.notify_all();
}

void JobQueue::forget_old_jobs() {
  std::size_t finished = 0;
  for (const std::string& id : order_) if (is_finished(jobs_.at(id)->state.status)) ++finished;
  for (auto it = order_.begin(); finished > kKeptFinishedJobs && it != order_.end();) {
    if (is_finished(jobs_.at(*it)->state.status)) {
      jobs_.erase(*it);
      it = order_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

}  // namespace hashpivot::server
