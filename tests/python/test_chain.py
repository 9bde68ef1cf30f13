"""hashpivot.chain against Bitcoin Core's rules and the command line's --json."""

import pytest

import hashpivot
from hashpivot import chain


@pytest.mark.parametrize("height, btc", [(0, 50.0), (209_999, 50.0), (210_000, 25.0), (840_000, 3.125),
                                         (6_930_000, 0.0)])
def test_subsidy_follows_the_halving_schedule(height, btc):
    # Bitcoin Core's validation: 50 BTC halved every 210,000 blocks, 0 after 64 halvings' shifts.
    assert chain.subsidy(height)["subsidy_btc"] == btc


def test_subsidy_equals_the_command_line(cli):
    for height in (0, 630_000, 840_000, 13_440_000):
        assert chain.subsidy(height) == cli.json("chain", "subsidy", height)


def test_next_bits_is_bitcoin_cores_retarget():
    # Bitcoin Core, src/test/pow_tests.cpp, get_next_work: block 32255's bits 0x1d00ffff, epoch
    # 1261130161 .. 1262152739 -> 0x1d00d86a.
    assert chain.next_bits(0x1D00FFFF, 1261130161, 1262152739)["bits"] == "0x1d00d86a"
    # get_next_work_lower_limit_actual: the timespan clamped at a quarter -> 0x1c0168fd from 0x1c05a3f4.
    assert chain.next_bits("0x1c05a3f4", 1279008237, 1279297671)["bits"] == "0x1c0168fd"


def test_next_bits_and_hashprice_equal_the_command_line(cli):
    expected = cli.json("chain", "retarget", "--bits", "0x17034219", "--first-time", 1700000000,
                        "--last-time", 1701200000)
    assert chain.next_bits("0x17034219", 1700000000, 1701200000) == expected
    expected = cli.json("chain", "hashprice", "--difficulty", "144.4T", "--price-usd", 70000,
                        "--fees-btc-per-block", 0.02)
    assert chain.hashprice("144.4T", 70000, 0.02) == expected


def test_bad_arguments_raise_input_error_naming_them():
    with pytest.raises(hashpivot.InputError) as e:
        chain.subsidy(-1)
    assert e.value.key == "height" and e.value.file == "argument"
    with pytest.raises(hashpivot.InputError, match="not a usable target"):
        chain.next_bits("0x00000000", 0, 1)
    with pytest.raises(hashpivot.InputError, match="block time"):
        chain.next_bits(0x1D00FFFF, 0, 2**32)
    with pytest.raises(hashpivot.InputError, match="difficulty"):
        chain.hashprice("lots", 70000)
