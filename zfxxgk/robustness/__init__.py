"""Measured robustness of the archive: a crawl under injected faults, kill -9 at seeded
points of crawl, ingest and build, parser fuzzing, and serving under load. Each module runs
one scenario and returns its figures; ``tests/robustness`` asserts them and
``zfxxgk.faults_report`` prints them."""
