"""Question banks: ready-made questionnaires kept as data, written out as XLSForm by the engine's writer."""
