"""What the evaluation commands share: a missing shared data set is one line naming the file, not a traceback
or a table of zeros."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation import claims, mrpc, timeml


def _claims_main(missing: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(claims, "ECB", missing)
    return claims.main([])


@pytest.mark.parametrize(
    "run",
    [
        # the TimeML folder: it printed "0 docs" for every split and "goal NOT MET"
        lambda missing, mp: timeml.main(["--split", "dev", "--data", str(missing)]),
        # the ECB+ corpus the claim gold reads its sentences from: it said "skipping", then a traceback
        _claims_main,
        # the MRPC test file: a traceback
        lambda missing, mp: mrpc.main(["--data", str(missing)]),
    ],
    ids=["timeml", "claims", "mrpc"],
)
def test_missing_shared_data_is_one_line_naming_it(
    run: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-shared"
    assert run(missing, monkeypatch) == 2  # type: ignore[operator]
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(missing) in err and "SHARED" in err
