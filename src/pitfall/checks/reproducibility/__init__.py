"""PF7: reproducibility. Judged by ``pitfall rerun`` from a recorded run and its re-execution."""
