"""Writes of the interactions app, one module per topic: segments (I1), relations (P16),
triggers (I2), scenarios (I3) and identify (P14)."""
