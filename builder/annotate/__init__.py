"""Annotating an article from outside its YAML file: the preview's editor and the Hypothesis importer.

selectors.py turns a quote with its context into the selector the file should hold, writer.py
edits annotation files keeping their comments and layout, hypothesis.py imports an export,
editor.py is the preview's JSON API.
"""
