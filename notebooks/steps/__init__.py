"""The course's copy of the engine as each notebook leaves it (generated)."""
