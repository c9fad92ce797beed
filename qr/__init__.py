"""qr: a terminal quick-reply launcher for e-commerce customer-service teams."""

__version__ = "0.1.0"
