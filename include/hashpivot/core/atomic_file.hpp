#pragma once
// Writing output files all or nothing. A file goes first to a temporary in its target's folder
// (".NAME.PID.partial"; a rename across file systems would not be atomic), complete and flushed to
// disk, and is renamed over the target only then: a reader never sees half of it, and a write that
// fails or is cancelled leaves the previous file (or none) and no temporary.
//
// Commands check every output path before they start working (check_output_path), so a path that
// cannot be written fails at once with exit code 2 instead of after a long run.

#include <filesystem>
#include <string>
#include <string_view>

namespace hashpivot {

/// How a command writes an output path.
enum class OutputWrite {
  kReplaced,        // a new file renamed over the path (write_file_atomically, StagedFile)
  kUpdatedInPlace,  // the file itself is opened for writing when it exists (a SQLite store)
};

/// Checks, before any work, that `path` can be written: it is not a folder, its folder exists and
/// a file can be created there (a probe file is created and removed again: the honest test, which
/// also sees read-only mounts and /proc), and for kUpdatedInPlace an existing file is writable.
/// Throws InputError("command line", 0, `flag`, "cannot write PATH: REASON"). `flag` names the
/// option that chose the path (e.g. "--report").
void check_output_path(const std::filesystem::path& path, const std::string& flag,
                       OutputWrite write = OutputWrite::kReplaced);

/// Checks that files can be written into the folder `folder`: it is a writable folder, or it does
/// not exist yet and its nearest existing ancestor is a writable folder (it will be created).
/// Throws like check_output_path.
void check_output_folder(const std::filesystem::path& folder, const std::string& flag);

/// One output file written in full to its temporary, moved into place by commit(). Destroying it
/// uncommitted removes the temporary: an exception, a cancelled run or a failed store write leaves
/// nothing behind.
class StagedFile {
 public:
  /// Writes `text` to the temporary beside `path` (flushed and synced). Throws
  /// InputError(path, 0, `flag`, …) when it cannot be written.
  StagedFile(std::filesystem::path path, std::string_view text, std::string flag);
  ~StagedFile();
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  /// Renames the temporary over the target (atomic within a folder). Throws InputError on failure,
  /// after removing the temporary.
  void commit();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] const std::filesystem::path& temporary() const { return temporary_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temporary_;  // empty once committed or moved from
  std::string flag_;
};

/// Writes `text` to `path` through a temporary file and a rename: an interrupted or failed write
/// leaves the previous file (or none), never a partial one. SIGINT and SIGTERM wait until the file
/// is in place. Throws InputError(path, 0, `flag`, …) when the folder cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view text, const std::string& flag);

}  // namespace hashpivot
