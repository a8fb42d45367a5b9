"""The package version, re-exported as ``engine.__version__``. The API and the CLI read it here: the
package's ``__init__`` imports the API on first use, so the API does not import the package."""

__version__ = "0.1.0"
