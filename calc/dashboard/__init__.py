"""capcalc's Streamlit dashboard: widgets built from the vocabulary, numbers from :mod:`calc`."""
