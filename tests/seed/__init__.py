"""Seed conformance: one test per statement of the fluxer-core 0.3.1 Client reference."""
