// The Models module; see DESIGN.md for what it owns.
