"""The suite-wide guard against 500s really notices one (so a green suite means something)."""
from tests import conftest


def test_an_unhandled_exception_is_recorded(client, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("participation.public.views.render_template", boom)
    try:
        response = client.get("/toegankelijkheid")
        assert response.status_code == 500
        assert "Er ging iets mis aan onze kant" in response.get_data(as_text=True)
        assert conftest.SERVER_ERRORS and "boom" in conftest.SERVER_ERRORS[0]
    finally:
        conftest.SERVER_ERRORS.clear()
