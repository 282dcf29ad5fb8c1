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


def test_an_htmx_request_that_fails_gets_the_friendly_words_without_a_page(client):
    response = client.get("/bestaat-niet/register", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in text and "<html" not in text and "<h1" in text
    page = client.get("/bestaat-niet/register").get_data(as_text=True)
    assert "<title>Deze pagina bestaat niet" in page and "<html" in page

