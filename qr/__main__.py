"""`python -m qr`."""

from qr.cli import main

raise SystemExit(main())
