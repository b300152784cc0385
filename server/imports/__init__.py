"""Readers of the files and services a parent brings her history from, each yielding the rows of rows.py."""
