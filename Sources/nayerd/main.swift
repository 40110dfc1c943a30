print("nayerd: not yet")
