#pragma once
// The ranks of MPI_COMM_WORLD as an sim::ProcessGroup (built with HASHPIVOT_WITH_MPI). The
// object owns the MPI environment: the constructor calls MPI_Init_thread, the destructor
// MPI_Finalize, so exactly one exists, in main, and only when the process was started by mpirun
// (launched_by_mpirun), so that a plain `hashpivot …` never initializes MPI.
//
// Threads: the engine's worker threads never call MPI; every call comes from the thread that
// built the group (MPI_THREAD_FUNNELED, which the constructor requires).
//
// Messages of any size: a byte count (8 bytes) first, then the bytes in pieces of at most 1 GiB
// (MPI counts are int).

#include <cstddef>
#include <span>
#include <vector>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::mpi {

/// Whether this process was started by an MPI launcher: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE)
/// or a PMIx/PMI launcher such as srun (PMIX_RANK, PMI_RANK) is in the environment.
[[nodiscard]] bool launched_by_mpirun();

class MpiProcessGroup final : public sim::ProcessGroup {
 public:
  /// MPI_Init_thread(MPI_THREAD_FUNNELED). Throws std::runtime_error if MPI is already
  /// initialized or cannot give FUNNELED.
  MpiProcessGroup(int& argc, char**& argv);
  /// MPI_Finalize.
  ~MpiProcessGroup() override;

  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  /// MPI_Bcast of the size, then of the bytes, from rank 0.
  void broadcast(std::vector<std::byte>& bytes) const override;
  /// MPI_Send to rank 0 (blocking until the bytes are buffered or received). Not from rank 0.
  void send_to_root(std::span<const std::byte> bytes) const override;
  /// MPI_Recv from `rank` (≠ 0), in the order that rank sent.
  [[nodiscard]] std::vector<std::byte> receive_from(int rank) const override;
  /// MPI_Abort(MPI_COMM_WORLD, exit_code): ends every rank, for an error that may have happened
  /// on this rank alone (the others would wait forever in the next collective).
  [[noreturn]] void abort(int exit_code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace hashpivot::mpi
