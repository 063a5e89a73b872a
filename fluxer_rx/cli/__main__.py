"""``python -m fluxer_rx.cli``: the same as the ``fluxer-rx`` command."""

import sys

from fluxer_rx.cli import main

sys.exit(main())
