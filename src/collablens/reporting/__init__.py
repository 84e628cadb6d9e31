"""Outputs that only format: the report view, sections, charts, templates, PDF, exporters."""
