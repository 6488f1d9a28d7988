"""``python -m calc`` runs the capcalc command line."""

from calc.cli.main import main

raise SystemExit(main())
