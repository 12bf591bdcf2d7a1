"""The jailtui engine: pure Python, no textual. The CLI and the TUI both drive it."""
