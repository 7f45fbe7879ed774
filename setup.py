"""Build configuration that pyproject.toml cannot express: the course's ``data/`` folder (small
shipped tables, the registry of real data sets) is installed as the package ``astrolab._data``, so a
wheel or a non-editable install finds it (``astrolab._paths.shipped_data_dir``). Everything else
lives in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["astrolab", "astrolab.*"]), "astrolab._data"],
    package_dir={"astrolab._data": "data"},
    package_data={"astrolab._data": ["*.ecsv", "*.json", "*.md", "*.npz"]},
)
