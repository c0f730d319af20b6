"""`python -m archbench`: the CLI."""

from archbench.app.cli import main

raise SystemExit(main())
