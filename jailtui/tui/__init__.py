"""The interactive dashboard (Textual). Imported only when the TUI runs, never by the engine."""
