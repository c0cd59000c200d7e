"""Flaky tests: JUnit results read, flakes detected, their likely causes named."""
