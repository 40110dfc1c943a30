// The TextEncoder module; see DESIGN.md for what it owns.
