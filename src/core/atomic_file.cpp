#include "hashpivot/core/atomic_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <system_error>

#include "hashpivot/core/error.hpp"

namespace hashpivot {

void write_file_atomically(const std::filesystem::path& path, std::string_view text, const std::string& flag) {
  // In the same folder (a rename across file systems is not atomic), named by process so two
  // writers do not share a temporary.
  const std::filesystem::path temporary =
      path.parent_path() / fmt::format(".{}.{}.partial", path.filename().string(), ::getpid());
  std::error_code ignored;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path.string(), 0, flag, "cannot write the file");
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary, ignored);
      throw InputError(path.string(), 0, flag, "write failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, ignored);
    throw InputError(path.string(), 0, flag, fmt::format("cannot rename the written file into place: {}", error.message()));
  }
}

}  // namespace hashpivot
