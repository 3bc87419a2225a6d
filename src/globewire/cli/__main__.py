"""``python -m globewire.cli ARGS``: the `globewire` command."""

from globewire.cli import main

main()
