"""``python -m privlint``: the same command line as ``privlint``."""

from privlint.frontend.cli import main

if __name__ == "__main__":
    main()
