"""``python -m globewire.cli``: the `globewire` command."""

from globewire.cli import main

main()
