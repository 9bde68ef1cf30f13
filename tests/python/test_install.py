"""`cmake --install` puts an importable package into a chosen prefix (README, Python)."""

import os
import pathlib
import subprocess
import sys

import pytest


def test_the_installed_package_imports_without_the_build_tree(tmp_path):
    build = os.environ.get("HASHPIVOT_BUILD_DIR")
    relative = os.environ.get("HASHPIVOT_PYTHON_INSTALL_DIR")
    if not build or not relative:
        pytest.skip("run by ctest, which names the build tree (HASHPIVOT_BUILD_DIR)")
    subprocess.run(["cmake", "--install", build, "--prefix", str(tmp_path)], check=True, capture_output=True)
    site = tmp_path / relative
    assert (site / "hashpivot" / "__init__.py").exists()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run([sys.executable, "-c", "import hashpivot; print(hashpivot.__file__); "
                          "print(hashpivot.chain.subsidy(210000)['subsidy_btc'])"],
                         cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout.split()
    assert pathlib.Path(out[0]).is_relative_to(site)
    assert out[1] == "25.0"
