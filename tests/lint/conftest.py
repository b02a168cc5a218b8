"""The corpus holds users' scripts to be read by `pitfall lint`, not tests to run."""

collect_ignore_glob = ["corpus/*"]
