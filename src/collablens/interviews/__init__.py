"""Interviews: transcripts read into speaker turns, pseudonymised, stored and coded."""
