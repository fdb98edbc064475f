"""Demo data: a realistic street of 39 communities and about 10,000 employed party members (`seed_demo`)."""
