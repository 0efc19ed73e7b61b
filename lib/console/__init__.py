"""Data shaping behind the console's pages, free of Streamlit so it is tested as plain functions."""
