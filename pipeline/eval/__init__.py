"""Scoring against gold annotations (the format of ../shared/spec/labels.md)."""
