"""What the README promises is generated from the code it describes: the import contract from
the model, the settings table from `graphcrm.settings`; and each setting is honoured."""

from __future__ import annotations

import re

import pytest

from graphcrm import model, settings
from graphcrm.errors import InputError

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_the_import_contract_of_the_model() -> None:
    assert model.contract_table() in README
    assert "../shared" not in README, "the README must not send users outside the repository"


def test_readme_lists_exactly_the_settings() -> None:
    assert settings.readme_table() in README
    mentioned = set(re.findall(r"`(GRAPHCRM_[A-Z_]+)`", README))
    assert mentioned <= {s.env for s in settings.SETTINGS}, "README names a variable that is not a setting"


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_each_setting_reads_its_variable_and_refuses_nonsense(setting: settings.Setting) -> None:
    assert setting.read({}) == setting.default
    if isinstance(setting.default, str):
        assert setting.read({setting.env: "/somewhere/else"}) == "/somewhere/else"
        return
    good = setting.minimum if setting.minimum is not None else 1
    assert setting.read({setting.env: str(type(setting.default)(good))}) == good
    for bad in ("lots", "nan", "-1e999", "1e999"):
        with pytest.raises(InputError, match=setting.env):
            setting.read({setting.env: bad})
