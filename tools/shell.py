"""`make shell`: chat with the assistant in a terminal, the prompt first and the server on this machine only.

Runs Rasa's own `rasa shell` in this process after silencing the libraries' deprecation noise
(common/quiet.py), and binds its HTTP server to 127.0.0.1 as `make run` does (Rasa's default is every
interface). Extra arguments go to `rasa shell` unchanged.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from common.quiet import silence_library_deprecations

LOCAL_ONLY = "127.0.0.1"


def shell_arguments(extra: List[str]) -> List[str]:
    """`rasa shell` arguments: ours first, so that anything given on the command line wins."""
    arguments = ["shell", "--endpoints", "endpoints.yml", "--interface", LOCAL_ONLY]
    return arguments + extra


def main(argv: Optional[List[str]] = None) -> None:
    silence_library_deprecations()
    from rasa.__main__ import main as rasa_main  # imported after the filters: importing Rasa warns

    sys.argv = ["rasa", *shell_arguments(list(sys.argv[1:] if argv is None else argv))]
    rasa_main()


if __name__ == "__main__":
    main()
