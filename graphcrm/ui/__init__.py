"""The dashboard's building blocks: page helpers (`common`), network views (`network`,
`components`) and the page scripts (`pages/`). Pages only call the package; no Cypher or
algorithms live here."""
