"""Importers: questions from other formats into the bank (`telegram`: a channel text dump or a Desktop export)."""
