print("nayer-bench: not yet")
