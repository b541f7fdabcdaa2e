"""The Streamlit chat app (talks to the API over HTTP only)."""
