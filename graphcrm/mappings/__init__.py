"""Built-in mappings of CRM exports (TOML, read by graphcrm.ingest.mapping)."""
