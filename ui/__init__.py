"""The Streamlit chat app. It talks to the Groundwork API over HTTP only (``ui.client``)."""
