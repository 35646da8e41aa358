"""The only part of pdcore that imports streamlit: shared page plumbing and widgets."""
