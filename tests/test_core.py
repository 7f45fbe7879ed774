"""astrolab's top level: device selection, the environment report, data folders."""

import importlib
import io

import pytest

import astrolab as al
import astrolab._environment as environment


def test_lazy_subpackages_and_public_names():
    assert al.__version__
    for name in ("datasets", "exercises", "plotting", "widgets", "nn", "bayes", "interferometry"):
        assert getattr(al, name).__name__ == f"astrolab.{name}"
    # Course tooling (student edition, slides, book helpers) lives in coursetools/, not in what students import.
    for name in ("course", "_book", "_slides", "_sphinx_fixes"):
        assert name not in dir(al)
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"astrolab.{name}")
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        al.nonsense  # noqa: B018


def test_device_is_cpu_without_gpu():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert al.device().type == "cpu"
    assert al.device("cpu").type == "cpu"
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        al.device("cuda")


def test_device_rejects_unknown_names():
    with pytest.raises(ValueError, match="prefer must be"):
        al.device("gpu")


def test_device_honours_environment(monkeypatch):
    monkeypatch.setenv("ASTROLAB_DEVICE", "cpu")
    assert al.device().type == "cpu"
    monkeypatch.setenv("ASTROLAB_DEVICE", "tpu")
    with pytest.raises(ValueError, match="'tpu'"):
        al.device()


def test_check_environment_ok_here():
    out = io.StringIO()
    report = al.check_environment(file=out)
    text = out.getvalue()
    assert report.ok, text
    assert "numpy" in text and "Compute device: cpu" in text and "Data folder:" in text


def test_check_environment_names_a_missing_package(monkeypatch):
    real = environment._version_of
    monkeypatch.setattr(environment, "_version_of",
                        lambda dist, module: None if dist == "corner" else real(dist, module))
    out = io.StringIO()
    report = al.check_environment(file=out)
    text = out.getvalue()
    assert not report.ok and report.missing == ["corner"]
    assert "MISSING" in text and "corner" in text and "make lab" in text
    assert "NOT READY: missing corner" in text


def test_check_environment_survives_a_broken_torch(monkeypatch):
    def broken(prefer=None):
        raise OSError("libtorch_cpu.so: cannot open shared object file")

    monkeypatch.setattr(environment, "device", broken)
    out = io.StringIO()
    report = al.check_environment(file=out)
    assert not report.ok
    assert "torch does not load" in out.getvalue() and "libtorch_cpu.so" in out.getvalue()


def test_data_dir_follows_environment(tmp_path, monkeypatch):
    target = tmp_path / "cache" / "astrolab"
    monkeypatch.setenv("ASTROLAB_DATA", str(target))
    assert al.data_dir() == target and target.is_dir()


def test_data_dir_refuses_a_file(tmp_path, monkeypatch):
    afile = tmp_path / "oops"
    afile.write_text("x")
    monkeypatch.setenv("ASTROLAB_DATA", str(afile))
    with pytest.raises(ValueError, match="ASTROLAB_DATA"):
        al.data_dir()
    out = io.StringIO()
    assert not al.check_environment(file=out).ok
    assert "PROBLEM" in out.getvalue()


def test_mirror_dir(tmp_path, monkeypatch):
    from astrolab._paths import mirror_dir

    assert mirror_dir() is None
    monkeypatch.setenv("ASTROLAB_MIRROR", str(tmp_path))
    assert mirror_dir() == tmp_path
