"""Ctrl+C (SIGINT) inside formcheck.interrupts: caught as a partial result, or left alone."""

import os
import signal

import pytest

from formcheck.interrupts import graceful_sigint, protected, requested


def test_the_first_press_interrupts_a_later_one_only_is_noted():
    with graceful_sigint():
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)  # the handler runs at the next bytecode
        with protected():
            os.kill(os.getpid(), signal.SIGINT)  # while the partial report is being written
        assert requested()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back


def test_started_with_ctrl_c_ignored_it_stays_ignored():
    """A background job (``formcheck analyze ... &`` from a script) is started with SIGINT
    ignored: Ctrl+C at the terminal is meant for the foreground, and formcheck goes on."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with graceful_sigint():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGINT)  # nothing happens
            assert not requested()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
