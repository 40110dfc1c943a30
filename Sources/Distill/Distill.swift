// The Distill module; see DESIGN.md for what it owns.
