"""`python -m pdcore ...` hands over to the CLI."""

from pdcore.cli import main

raise SystemExit(main())
