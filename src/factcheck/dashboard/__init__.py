"""The analysts' and editors' dashboard: ``queries`` (plain functions over a read-only
connection, usable from a notebook) and ``app`` (the Streamlit page; ``factcheck dashboard``)."""
