"""``python -m cli``: the same as the ``engagex`` command."""

from cli import main

main()
