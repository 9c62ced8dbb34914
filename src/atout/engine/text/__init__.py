"""French text helpers for the themes engine: preprocessing and tonality."""
