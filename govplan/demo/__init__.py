"""The demo: plausible accounts, documents at each stage of the cycle and a throwaway CA.

Installed only when ``GOVPLAN_DEMO`` is on (by default under ``DEBUG`` and in the tests):
``load_demo`` fills a fresh database for ``make run``; ``pki`` makes the demo's and the
tests' certificates. No production app imports this package (an import-linter contract).
"""
