"""The bundled default phrase library (data files only)."""
