"""graphcrm: a relationship graph and referral explorer for CRM, on Neo4j, NetworkX and Streamlit."""

__version__ = "0.1.0"
