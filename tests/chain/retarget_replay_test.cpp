#include "hashpivot/chain/retarget_replay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::chain {
namespace {

const ConsensusParams kMainnet = ConsensusParams::mainnet();

// Two epochs built with the rule itself for the second epoch's bits, then checked in any order.
std::vector<BlockRecord> two_retargets() {
  const std::uint32_t bits0 = 0x1d00ffff;
  const std::uint32_t bits1 = next_epoch_bits(bits0, 1000, 1000 + 1'000'000, kMainnet);
  const std::uint32_t bits2 = next_epoch_bits(bits1, 1'002'000, 1'002'000 + 1'100'000, kMainnet);
  return {{0, 1000, bits0},          {2015, 1'001'000, bits0},       {2016, 1'002'000, bits1},
          {4031, 2'102'000, bits1},  {4032, 2'102'600, bits2}};
}

TEST(RetargetReplay, checks_each_retarget_whose_first_and_last_blocks_are_present_in_any_order) {
  auto records = two_retargets();
  std::shuffle(records.begin(), records.end(), std::mt19937(3));
  const RetargetReplay replay = replay_retargets(records, kMainnet);
  EXPECT_EQ(replay.checked, 2);
  EXPECT_TRUE(replay.mismatches.empty());
}

TEST(RetargetReplay, reports_a_tampered_epoch_with_its_height_and_both_bits) {
  auto records = two_retargets();
  records[4].bits += 1;
  const RetargetReplay replay = replay_retargets(records, kMainnet);
  ASSERT_EQ(replay.mismatches.size(), 1u);
  EXPECT_EQ(replay.mismatches[0].height, 4032);
  EXPECT_EQ(replay.mismatches[0].actual_bits, records[4].bits);
  EXPECT_EQ(replay.mismatches[0].computed_bits, records[4].bits - 1);
}

TEST(RetargetReplay, skips_retargets_missing_the_first_or_last_block) {
  auto records = two_retargets();
  records.erase(records.begin() + 1);  // drop height 2015
  EXPECT_EQ(replay_retargets(records, kMainnet).checked, 1);
}

class CsvFile {
 public:
  explicit CsvFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("hashpivot_replay_" + std::to_string(std::random_device{}()) + ".csv")) {
    std::ofstream(path_) << text;
  }
  ~CsvFile() { std::filesystem::remove(path_); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(ReadBlockRecords, accepts_any_column_order_and_ignores_extra_columns) {
  CsvFile file("bits,extra,height,time\n0x1d00ffff,x,0,1231006505\n0x1d00ffff,y,2015,1233061996\n");
  const auto records = read_block_records_csv(file.path());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].height, 2015);
  EXPECT_EQ(records[1].time_unix, 1233061996);
  EXPECT_EQ(records[1].bits, 0x1d00ffffu);
}

TEST(ReadBlockRecords, reads_a_header_dump_by_its_time_unix_and_nbits_hex_columns) {
  // The columns of data/chain/btc_retarget_boundary_headers.csv; time and bits win when both are there.
  CsvFile dump("height,hash,time_unix,nbits_hex\n2015,ab,1233061996,0x1d00ffff\n");
  const auto records = read_block_records_csv(dump.path());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].time_unix, 1233061996);
  EXPECT_EQ(records[0].bits, 0x1d00ffffu);
  CsvFile both("height,time_unix,time,nbits_hex,bits\n7,1,2,0x1d00ffff,0x1c00ffff\n");
  const auto preferred = read_block_records_csv(both.path());
  EXPECT_EQ(preferred[0].time_unix, 2);
  EXPECT_EQ(preferred[0].bits, 0x1c00ffffu);
}

void expect_input_error(const std::string& text, std::size_t line, const std::string& field) {
  CsvFile file(text);
  try {
    (void)read_block_records_csv(file.path());
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(file.path().string()), std::string::npos) << e.what();
  }
}

TEST(ReadBlockRecords, names_the_line_and_column_of_malformed_values) {
  expect_input_error("height,time,bits\n0,1,0x1d00ffff\n1,2,1d00ffff\n", 3, "bits");
  expect_input_error("height,time,bits\n0,yesterday,0x1d00ffff\n", 2, "time");
  expect_input_error("height,time,bits\n-5,1,0x1d00ffff\n", 2, "height");
  expect_input_error("height,time,bits\n0,1,0x04923456\n", 2, "bits");
  expect_input_error("height,time_unix,totalfee_sat\n0,1,5\n", 1, "bits");
  expect_input_error("height,time\n0,1\n", 1, "bits");
  expect_input_error("height,time,bits\n0,1,0x1d00ffff\n0,2,0x1d00ffff\n", 3, "height");
}

TEST(ReadBlockRecords, a_duplicate_row_with_identical_values_is_accepted_once) {
  CsvFile file("height,time,bits\n0,1,0x1d00ffff\n0,1,0x1d00ffff\n");
  EXPECT_EQ(read_block_records_csv(file.path()).size(), 1u);
}

}  // namespace
}  // namespace hashpivot::chain
