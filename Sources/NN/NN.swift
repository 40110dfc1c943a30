// The NN module; see DESIGN.md for what it owns.
