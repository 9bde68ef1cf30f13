#include "hashpivot/chain/work.hpp"

#include "hashpivot/chain/compact.hpp"

namespace hashpivot::chain {

Uint256 block_work(std::uint32_t bits) {
  const DecodedCompact decoded = decode_compact(bits);
  if (decoded.negative || decoded.overflow || decoded.target.is_zero()) return Uint256();
  // 2^256 / (t+1) = (2^256 − t − 1) / (t+1) + 1 = ~t / (t+1) + 1.
  return ~decoded.target / (decoded.target + Uint256(1)) + Uint256(1);
}

}  // namespace hashpivot::chain
