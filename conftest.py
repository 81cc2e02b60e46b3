"""Every pytest run (tests, and strict nbval on notebooks/ and solutions/) leaves the home folder alone.

Set before any kernel starts, so the lessons' kernels inherit it: the self-checks keep their
progress in memory only (no progress file), the reporting switch is not saved, and no
verdict is sent to a class's progress service even from a terminal on a class hub. Stored
outputs are therefore what a fresh learner's kernel records, on any machine.
"""
import os

os.environ["ATTENTION_PROGRESS_FILE"] = "off"
os.environ["ATTENTION_SETTINGS_FILE"] = "off"
os.environ.pop("ATTENTION_PROGRESS_URL", None)
