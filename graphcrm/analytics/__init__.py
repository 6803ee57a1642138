"""Relationship analytics: pure functions of the projected NetworkX graph.

One module per analysis (`influencers`, `referrals`, `communities`, `intro`, `coverage`,
`partners`, `rings`, `funnel`), shared helpers in `views` and `strength`, and `run`, which ties
each analysis to its projection from Neo4j and its score write-back (the entry point for the CLI
and the dashboard).
"""
