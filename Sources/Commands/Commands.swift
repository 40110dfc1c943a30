// The Commands module; see DESIGN.md for what it owns.
