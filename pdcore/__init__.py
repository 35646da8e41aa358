"""PD Cohorts core: the product's logic, importable and testable without Streamlit."""
