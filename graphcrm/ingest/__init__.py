"""CSV import: validation of a data directory, the loader, and the synthetic data generator."""
