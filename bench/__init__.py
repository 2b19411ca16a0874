"""Benchmarks: speed, memory and scale of transcript-qa, side by side with the usual stack."""
