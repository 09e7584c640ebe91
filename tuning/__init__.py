"""Watchlist tuning: back-test a candidate watchlist, suggest terms, diff versions.

The analyst's loop is edit → back-test against stored and reviewed stories → deploy;
this package holds the pure parts of that loop (``metrics``, ``suggest``, ``diff``) and
the one function that runs a back-test over a store (``backtest``).
"""
