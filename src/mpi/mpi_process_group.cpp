#include "hashpivot/mpi/mpi_process_group.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace hashpivot::mpi {
namespace {

constexpr int kTag = 7;                              // every point-to-point message of the engine
constexpr std::size_t kPieceBytes = std::size_t{1} << 30;  // the largest piece of one MPI call

void check(int status, const char* call) {
  if (status != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + call + " failed");
}

int piece_size(std::size_t left) { return static_cast<int>(std::min(left, kPieceBytes)); }

}  // namespace

bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
         std::getenv("PMI_RANK") != nullptr;
}

MpiProcessGroup::MpiProcessGroup(int& argc, char**& argv) {
  int initialized = 0;
  check(MPI_Initialized(&initialized), "MPI_Initialized");
  if (initialized != 0) throw std::runtime_error("MPI: already initialized (one MpiProcessGroup per process)");
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw std::runtime_error("MPI: the library does not support MPI_THREAD_FUNNELED");
  }
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiProcessGroup::~MpiProcessGroup() { MPI_Finalize(); }

void MpiProcessGroup::broadcast(std::vector<std::byte>& bytes) const {
  std::uint64_t count = bytes.size();
  check(MPI_Bcast(&count, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
  bytes.resize(count);
  for (std::size_t done = 0; done < bytes.size(); done += kPieceBytes)
    check(MPI_Bcast(bytes.data() + done, piece_size(bytes.size() - done), MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
}

void MpiProcessGroup::send_to_root(std::span<const std::byte> bytes) const {
  if (rank_ == 0) throw std::logic_error("MpiProcessGroup::send_to_root called at the root");
  const std::uint64_t count = bytes.size();
  check(MPI_Send(&count, 1, MPI_UINT64_T, 0, kTag, MPI_COMM_WORLD), "MPI_Send");
  for (std::size_t done = 0; done < bytes.size(); done += kPieceBytes)
    check(MPI_Send(bytes.data() + done, piece_size(bytes.size() - done), MPI_BYTE, 0, kTag, MPI_COMM_WORLD), "MPI_Send");
}

std::vector<std::byte> MpiProcessGroup::receive_from(int rank) const {
  if (rank_ != 0 || rank <= 0 || rank >= size_)
    throw std::logic_error("MpiProcessGroup::receive_from: only the root receives, from another rank");
  std::uint64_t count = 0;
  check(MPI_Recv(&count, 1, MPI_UINT64_T, rank, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  std::vector<std::byte> bytes(count);
  for (std::size_t done = 0; done < bytes.size(); done += kPieceBytes)
    check(MPI_Recv(bytes.data() + done, piece_size(bytes.size() - done), MPI_BYTE, rank, kTag, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE),
          "MPI_Recv");
  return bytes;
}

void MpiProcessGroup::abort(int exit_code) const {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::abort();  // MPI_Abort does not return; this is for the compiler
}

}  // namespace hashpivot::mpi
