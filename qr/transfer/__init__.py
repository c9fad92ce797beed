"""Import phrases from input methods, chat-client sheets and espanso; export sheets for the platforms.

One module per format; `plan` turns what a format found into group files. No Textual here.
"""
