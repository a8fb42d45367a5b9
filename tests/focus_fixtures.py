"""Ready pytest fixtures over tests/focus_data.py; use them with ``from tests.focus_fixtures import *``.

* ``focus_data`` (session): a :class:`tests.focus_data.FocusData` built once per test session under the
  session's tmp dir (toolkit generation + post-processing, ~1-2 s in all). Skips when the pinned
  focus-data-toolkit is not installed (it needs Python >= 3.11); fails when another version is installed.
* ``focus_real_sample`` (session): the FinOps Foundation sample (FOCUS 1.0, CC-BY-4.0), in ``tests/data/realdata``.
* ``focus_generated`` (params aws/azure/gcp): one :class:`tests.focus_data.GeneratedFile`.
* ``focus_file`` (params): a path to every readable variant: the three processed CSVs, the aws gzip copy,
  the azure Parquet copy, the gcp copy with UTC offsets and the real sample.
* ``focus_generated_period``: ``(start, end)`` of the generated data, May 2026 (naive UTC datetimes).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.focus_data import TOOLKIT_VERSION, build_focus_data, toolkit_version
from tests.paths import REALDATA

REAL_SAMPLE = REALDATA / "focus-sample-data" / "focus_sample.csv"
REAL_SAMPLE_PERIOD = (dt.datetime(2024, 9, 1), dt.datetime(2024, 10, 1))
GENERATED_PERIOD = (dt.datetime(2026, 5, 1), dt.datetime(2026, 6, 1))
FOCUS_FILE_VARIANTS = ("aws", "azure", "gcp", "aws-gzip", "azure-parquet", "gcp-offsets", "real-sample")

__all__ = [
    "focus_data",
    "focus_real_sample",
    "focus_generated",
    "focus_file",
    "focus_generated_period",
    "REAL_SAMPLE",
    "REAL_SAMPLE_PERIOD",
    "GENERATED_PERIOD",
    "FOCUS_FILE_VARIANTS",
]


@pytest.fixture(scope="session")
def focus_data(tmp_path_factory):
    installed = toolkit_version()
    if installed is None:
        pytest.skip("focus-data-toolkit is not installed (pip install -e '.[test]' on Python >= 3.11)")
    if installed != TOOLKIT_VERSION:
        pytest.fail(f"focus-data-toolkit {installed} is installed; these tests pin {TOOLKIT_VERSION}")
    root = tmp_path_factory.mktemp("focus-data")
    data = build_focus_data(root)
    timings = {
        provider: {
            "focus_version": f.focus_version,
            "rows": f.rows,
            "seed": f.seed,
            "generate_seconds": round(f.generate_seconds, 3),
            "postprocess_seconds": round(f.postprocess_seconds, 3),
        }
        for provider, f in data.files.items()
    }
    (root / "timings.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")
    return data


@pytest.fixture(scope="session")
def focus_real_sample():
    return REAL_SAMPLE


@pytest.fixture(params=("aws", "azure", "gcp"))
def focus_generated(request, focus_data):
    return focus_data.files[request.param]


@pytest.fixture(params=FOCUS_FILE_VARIANTS)
def focus_file(request):
    variant = request.param
    if variant == "real-sample":
        return request.getfixturevalue("focus_real_sample")
    data = request.getfixturevalue("focus_data")
    if variant == "aws-gzip":
        return data.gz
    if variant == "azure-parquet":
        return data.parquet
    if variant == "gcp-offsets":
        return data.offsets
    return data.files[variant].csv


@pytest.fixture
def focus_generated_period():
    return GENERATED_PERIOD
