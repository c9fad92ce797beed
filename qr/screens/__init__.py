"""Textual screens: launcher, editor, browser, practice, help. They call the store and the index."""
