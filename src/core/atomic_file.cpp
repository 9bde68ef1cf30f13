#include "hashpivot/core/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot {
namespace {

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

/// In the target's folder, named by process so that two writers never share one.
std::filesystem::path temporary_for(const std::filesystem::path& path, std::string_view kind) {
  return folder_of(path) / fmt::format(".{}.{}.{}", path.filename().string(), ::getpid(), kind);
}

[[noreturn]] void cannot_write(const std::filesystem::path& path, const std::string& flag, const std::string& reason) {
  throw InputError("command line", 0, flag, fmt::format("cannot write {}: {}", path.string(), reason));
}

/// Creates and removes a probe file in `folder`; "" when that works, else why not.
std::string probe_folder(const std::filesystem::path& folder, const std::filesystem::path& for_path) {
  const std::filesystem::path probe = temporary_for(folder / for_path.filename(), "probe");
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

/// Writes all of `text` to `fd` and syncs it; false (errno set) on failure.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return ::fsync(fd) == 0;
}

}  // namespace

void check_output_path(const std::filesystem::path& path, const std::string& flag, OutputWrite write) {
  if (path.empty()) cannot_write(path, flag, "the path is empty");
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) cannot_write(path, flag, "it is a folder");
  const std::filesystem::path folder = folder_of(path);
  if (!std::filesystem::exists(folder, error)) cannot_write(path, flag, fmt::format("no folder {}", folder.string()));
  if (!std::filesystem::is_directory(folder, error)) cannot_write(path, flag, fmt::format("{} is not a folder", folder.string()));
  if (const std::string reason = probe_folder(folder, path); !reason.empty()) cannot_write(path, flag, reason);
  if (write == OutputWrite::kUpdatedInPlace && std::filesystem::exists(path, error) && ::access(path.c_str(), W_OK) != 0)
    cannot_write(path, flag, std::strerror(errno));
}

void check_output_folder(const std::filesystem::path& folder, const std::string& flag) {
  if (folder.empty()) cannot_write(folder, flag, "the path is empty");
  std::error_code error;
  std::filesystem::path existing = folder;
  // The nearest existing ancestor: the folders below it will be created.
  while (!std::filesystem::exists(existing, error) && existing.has_parent_path() && existing.parent_path() != existing)
    existing = existing.parent_path();
  if (!std::filesystem::exists(existing, error)) existing = ".";
  if (!std::filesystem::is_directory(existing, error))
    cannot_write(folder, flag, fmt::format("{} is not a folder", existing.string()));
  if (const std::string reason = probe_folder(existing, "probe"); !reason.empty()) cannot_write(folder, flag, reason);
}

StagedFile::StagedFile(std::filesystem::path path, std::string_view text, std::string flag)
    : path_(std::move(path)), temporary_(temporary_for(path_, "partial")), flag_(std::move(flag)) {
  const int fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const std::string reason = std::strerror(errno);
    temporary_.clear();
    throw InputError(path_.string(), 0, flag_, fmt::format("cannot write the file: {}", reason));
  }
  const bool written = write_all(fd, text);
  const std::string reason = written ? "" : std::strerror(errno);
  if (::close(fd) != 0 || !written) {
    // The destructor does not run for a constructor that throws: remove the temporary here.
    ::unlink(temporary_.c_str());
    temporary_.clear();
    throw InputError(path_.string(), 0, flag_, fmt::format("write failed: {}", reason.empty() ? "close" : reason));
  }
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : path_(std::move(other.path_)), temporary_(std::exchange(other.temporary_, {})), flag_(std::move(other.flag_)) {}

StagedFile::~StagedFile() {
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void StagedFile::commit() {
  std::error_code error;
  std::filesystem::rename(temporary_, path_, error);
  if (error) {
    ::unlink(temporary_.c_str());
    temporary_.clear();
    throw InputError(path_.string(), 0, flag_,
                     fmt::format("cannot rename the written file into place: {}", error.message()));
  }
  temporary_.clear();
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text, const std::string& flag) {
  // A signal while the file is written would otherwise end the process with its temporary left.
  const cancellation::Deferred deferred;
  StagedFile(path, text, flag).commit();
}

}  // namespace hashpivot
