#pragma once
// Writing an output file so that no reader ever sees half of it: the text goes to a temporary file
// in the same folder, which is renamed over the target only once it is complete.

#include <filesystem>
#include <string>
#include <string_view>

namespace hashpivot {

/// Writes `text` to `path` through a temporary file and a rename: an interrupted or failed write
/// leaves the previous file (or none), never a partial one. Throws InputError(path, 0, `flag`, …)
/// when the folder cannot be written; `flag` names the option that chose the path (e.g. "--toml").
void write_file_atomically(const std::filesystem::path& path, std::string_view text, const std::string& flag);

}  // namespace hashpivot
