"Shared pytest fixtures for trajnb."
import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    "A fresh run directory, also exported as TRAJNB_RUN_DIR for code that reads the default."
    d = tmp_path/'run'
    d.mkdir()
    monkeypatch.setenv('TRAJNB_RUN_DIR', str(d))
    return d

@pytest.fixture(scope='session')
def repo_root(): return ROOT
