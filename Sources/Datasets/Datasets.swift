// The Datasets module; see DESIGN.md for what it owns.
