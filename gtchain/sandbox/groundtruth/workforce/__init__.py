"""The simulated workforce that advances labeling jobs: its knobs, each job's run, the ticks."""
