"""A stand-in for pyarrow, used ONLY by acceptance.pyarrow_compat_selftest to show that the
pyarrow_compat comparison can fail (real pyarrow is not installable on these machines).
It answers with the numbers in the JSON file named by ACC_FAKE_PYARROW_ANSWERS
({"rows": N, "null_counts": {column: n}}), through the subset of the pyarrow API that
pyarrow_compat.py uses. It never reads Parquet."""
__version__ = "0.0.0-fake-for-selftest"
