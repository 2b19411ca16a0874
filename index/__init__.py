"""Indexing: read transcripts, parse speaker turns, chunk, embed, store."""
