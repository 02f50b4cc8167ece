"""Pure stages: frozen data in, frozen data out. They know nothing of caching (see ../engine)."""
