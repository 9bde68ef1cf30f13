#pragma once
// The processes that share one computation. The base class is the single process (rank 0 of 1) and
// its collectives do nothing; the MPI group (built with HASHPIVOT_WITH_MPI) spreads paths over the
// ranks of MPI_COMM_WORLD. Every rank runs the same commands on the same inputs, so every rank
// reaches each collective in the same order; only the root prints and writes files.

#include <cstddef>
#include <span>
#include <vector>

namespace hashpivot::sim {

class ProcessGroup {
 public:
  ProcessGroup() = default;
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;
  virtual ~ProcessGroup() = default;

  /// This process's rank in [0, size()).
  [[nodiscard]] virtual int rank() const { return 0; }
  /// How many processes share the computation (≥ 1).
  [[nodiscard]] virtual int size() const { return 1; }
  /// Whether this process prints, records and writes (rank 0).
  [[nodiscard]] bool is_root() const { return rank() == 0; }

  /// Collective: afterwards every rank's `bytes` equal the root's.
  virtual void broadcast(std::vector<std::byte>& bytes) const { static_cast<void>(bytes); }
  /// Point to point, to the root (the root must call receive_from for each message, in order).
  virtual void send_to_root(std::span<const std::byte> bytes) const { static_cast<void>(bytes); }
  /// At the root: the next message `send_to_root` sent from `rank`.
  [[nodiscard]] virtual std::vector<std::byte> receive_from(int rank) const {
    static_cast<void>(rank);
    return {};
  }
};

}  // namespace hashpivot::sim
