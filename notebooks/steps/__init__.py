"""The learner's engine as each notebook leaves it (generated)."""
