#include "hashpivot/core/csv.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "hashpivot/core/error.hpp"

namespace hashpivot::csv {
namespace {

TEST(SplitLine, handles_quotes_escaped_quotes_empty_fields_and_crlf) {
  EXPECT_EQ(*split_line("a,\"b,c\",,\"d\"\"e\"\r"), (std::vector<std::string>{"a", "b,c", "", "d\"e"}));
  EXPECT_FALSE(split_line("a,\"b").has_value());
  EXPECT_EQ(split_line("")->size(), 1u);
}

TEST(Reader, reads_typed_values_by_column_name_and_skips_blank_lines) {
  std::istringstream in("\xEF\xBB\xBFtime,PriceUSD,bits\n2024-01-01,42000.5,0x1d00ffff\n\n2024-01-02,,0x17034219\n");
  Reader reader(in, "history.csv");
  const auto price = reader.column("PriceUSD");
  const auto bits = reader.column("bits");
  EXPECT_EQ(reader.column("time"), 0u);  // the byte order mark is not part of the name
  Row row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_DOUBLE_EQ(row.as_double(price), 42000.5);
  EXPECT_EQ(row.as_hex_u32(bits), 0x1d00ffffu);
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row.line(), 4u);
  EXPECT_FALSE(row.as_optional_double(price).has_value());  // empty is unknown, not zero
  EXPECT_FALSE(reader.next(row));
}

TEST(Reader, errors_name_file_line_and_column) {
  std::istringstream in("height,time\n1,2\n3,abc\n");
  Reader reader(in, "blocks.csv");
  Row row;
  ASSERT_TRUE(reader.next(row));
  ASSERT_TRUE(reader.next(row));
  try {
    (void)row.as_int64(1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "blocks.csv:3: time: expected an integer, got 'abc'");
  }
}

TEST(Reader, a_short_row_or_missing_column_is_an_error) {
  std::istringstream short_row("a,b,c\n1,2\n");
  Reader reader(short_row, "t.csv");
  Row row;
  EXPECT_THROW(reader.next(row), InputError);
  std::istringstream header_only("a,b\n");
  Reader second(header_only, "t.csv");
  EXPECT_THROW((void)second.column("c"), InputError);
  EXPECT_THROW((void)Reader::open("/nonexistent/file.csv"), InputError);
}

TEST(Row, rejects_numbers_with_trailing_text_and_non_finite_values) {
  std::istringstream in("x\n12abc\n");
  Reader reader(in, "t.csv");
  Row row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_THROW((void)row.as_double(0), InputError);
  EXPECT_THROW((void)row.as_int64(0), InputError);
  std::istringstream inf("x\ninf\n");
  Reader second(inf, "t.csv");
  ASSERT_TRUE(second.next(row));
  EXPECT_THROW((void)row.as_double(0), InputError);
}

}  // namespace
}  // namespace hashpivot::csv
