"""Allow ``python -m prevail_contract``."""

import sys

from prevail_contract.cli import main

sys.exit(main())
