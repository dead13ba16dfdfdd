"""Tests of the primitive ops, one file per ops module."""
