"""Tests of the lecture demos, each run in quick mode."""
