"""The OpenAPI 3.0 document of /api/v1, built as data so tests can hold responses to it."""
from __future__ import annotations

from typing import Any

from participation.domain.grounds import COUNCIL_OUTCOMES, OUTCOMES
from participation.models.cases import REQUEST_TYPES


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    # OpenAPI 3.0: `nullable` does not widen an enum, so null must be one of its values.
    if "enum" in schema and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    return {**schema, "nullable": True}


STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
URI = {"type": "string", "format": "uri"}
HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
OUTCOME_CODES = sorted(set(OUTCOMES) | set(COUNCIL_OUTCOMES))


def _paginated(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "next": _nullable(URI),
            "previous": _nullable(URI),
            "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        },
    }


SCHEMAS: dict[str, Any] = {
    "Organisatie": {
        "type": "object",
        "required": ["id", "naam", "bestuurslaag", "tooi_code", "url", "register", "zaken"],
        "properties": {
            "id": {**STRING, "description": "Vaste code (slug) van de organisatie."},
            "naam": STRING,
            "bestuurslaag": {"type": "string", "enum": ["gemeente", "provincie", "waterschap"]},
            "tooi_code": {**STRING, "description": "TOOI-code, bijvoorbeeld gm0363."},
            "url": URI, "register": URI, "zaken": URI,
        },
    },
    "Zaak": {
        "type": "object",
        "description": "Een openbaar verzoek of initiatief. Namen van inwoners staan er nooit in.",
        "required": ["id", "url", "webpagina", "organisatie", "organisatie_naam", "zaaknummer",
                     "titel", "type", "status", "status_label", "ingediend_op", "besluitdatum",
                     "bekendgemaakt_op", "uitkomst", "uitkomst_label", "steunbetuigingen"],
        "properties": {
            "id": {"type": "integer", "description": "Uniek binnen de organisatie (met `organisatie`)."},
            "url": URI, "webpagina": URI,
            "organisatie": STRING, "organisatie_naam": STRING,
            "zaaknummer": _nullable(STRING), "titel": STRING,
            "type": {"type": "string", "enum": list(REQUEST_TYPES)},
            "status": STRING, "status_label": STRING,
            "ingediend_op": _nullable(DATE),
            "besluitdatum": _nullable({**DATE, "description":
                                       "De datum van het besluit zelf (de juridische datum)."}),
            "bekendgemaakt_op": _nullable({**DATE, "description":
                                           "De dag waarop het besluit aan de aanvrager is "
                                           "bekendgemaakt (verzonden, art. 3:41 Awb)."}),
            "uitkomst": _nullable({"type": "string", "enum": OUTCOME_CODES}),
            "uitkomst_label": _nullable(STRING),
            "steunbetuigingen": _nullable({"type": "integer", "minimum": 0}),
        },
    },
    "ZaakDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Zaak"},
            {"type": "object",
             "required": ["samenvatting", "indiener_organisatie", "tijdlijn", "besluiten", "documenten"],
             "properties": {
                 "samenvatting": STRING,
                 "indiener_organisatie": _nullable({**STRING, "description":
                                                    "Alleen met toestemming van de indiener."}),
                 "tijdlijn": {"type": "array", "items": {"$ref": "#/components/schemas/TijdlijnStap"}},
                 "besluiten": {"type": "array", "items": {"$ref": "#/components/schemas/Besluit"}},
                 "documenten": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
             }},
        ],
    },
    "TijdlijnStap": {
        "type": "object", "required": ["datum", "status", "omschrijving"],
        "properties": {"datum": DATETIME, "status": STRING, "omschrijving": STRING},
    },
    "Document": {
        "type": "object", "required": ["bestandsnaam", "type", "grootte"],
        "properties": {"bestandsnaam": STRING, "type": STRING,
                       "grootte": {"type": "integer", "minimum": 0}},
    },
    "Weigeringsgrond": {
        "type": "object", "required": ["code", "omschrijving"],
        "properties": {"code": STRING, "omschrijving": STRING},
    },
    "Besluit": {
        "type": "object",
        "required": ["id", "zaak", "zaaknummer", "organisatie", "bevoegd_orgaan",
                     "bevoegd_orgaan_label", "datum", "bekendgemaakt_op", "uitkomst", "uitkomst_label",
                     "besluitnummer", "motivering", "weigeringsgronden", "rechtsmiddelen",
                     "gepubliceerd_op"],
        "properties": {
            "id": {"type": "integer"}, "zaak": URI, "zaaknummer": _nullable(STRING),
            "organisatie": STRING, "bevoegd_orgaan": STRING, "bevoegd_orgaan_label": STRING,
            "datum": {**DATE, "description": "De datum van het besluit zelf."},
            "bekendgemaakt_op": _nullable({**DATE, "description":
                                           "De dag waarop het besluit is bekendgemaakt."}),
            "uitkomst": STRING, "uitkomst_label": STRING,
            "besluitnummer": _nullable(STRING), "motivering": STRING,
            "weigeringsgronden": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/Weigeringsgrond"}},
            "rechtsmiddelen": _nullable(STRING), "gepubliceerd_op": _nullable(DATETIME),
        },
    },
    "Fout": {
        "type": "object", "required": ["error", "message"],
        "properties": {
            "error": {"type": "integer"}, "message": STRING,
            "fouten": {"type": "object", "additionalProperties": STRING,
                       "description": "Per parameter wat er mis is."},
        },
    },
    "Sleutel": {
        "type": "object", "required": ["algoritme", "sleutel", "origin"],
        "properties": {"algoritme": {"type": "string", "enum": ["Ed25519"]},
                       "sleutel": {**STRING, "description": "Publieke sleutel, base64 (32 bytes)."},
                       "origin": {**STRING, "description": "Naam van het log in de checkpoints."}},
    },
    "Checkpoint": {
        "type": "object", "required": ["grootte", "root", "tijdstip", "handtekening", "tekst"],
        "properties": {
            "grootte": {"type": "integer", "minimum": 0}, "root": HEX64,
            "tijdstip": STRING, "handtekening": {**STRING, "description": "Ed25519, base64."},
            "tekst": {**STRING, "description": "Wat ondertekend is: origin, grootte, root "
                                               "(base64) en tijdstip, elk op een regel."}},
    },
    "Blad": {
        "type": "object", "required": ["index", "data", "leaf_hash"],
        "properties": {"index": {"type": "integer", "minimum": 0},
                       "data": {**STRING, "description": "Canonieke JSON van de openbare stap."},
                       "leaf_hash": HEX64},
    },
    "ZaakLog": {
        "type": "object", "required": ["zaak", "organisatie", "bladeren"],
        "properties": {"zaak": {"type": "integer"}, "organisatie": STRING,
                       "bladeren": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/Blad"}}},
    },
    "Inclusiebewijs": {
        "type": "object", "required": ["index", "grootte", "pad"],
        "properties": {"index": {"type": "integer"}, "grootte": {"type": "integer"},
                       "pad": {"type": "array", "items": HEX64}},
    },
    "Consistentiebewijs": {
        "type": "object", "required": ["van", "tot", "bewijs"],
        "properties": {"van": {"type": "integer"}, "tot": {"type": "integer"},
                       "bewijs": {"type": "array", "items": HEX64}},
    },
    "OrganisatieLijst": _paginated("Organisatie"),
    "ZaakLijst": _paginated("Zaak"),
    "BesluitLijst": _paginated("Besluit"),
}


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path",
            "description": description, "schema": schema}


PAGE = _param("page", "Paginanummer, vanaf 1.", {"type": "integer", "minimum": 1, "default": 1})
PAGE_SIZE = _param("page_size", "Aantal resultaten per pagina (hoogstens 100).",
                   {"type": "integer", "minimum": 1, "maximum": 100, "default": 25})
ORGANISATIE = _param("organisatie", "Code (slug) van de organisatie.", {"type": "string", "maxLength": 40})


def _response(description: str, schema: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


BAD_REQUEST = _response("Ongeldige parameter.", "Fout")
NOT_FOUND = _response("Niet gevonden (of niet openbaar).", "Fout")

PATHS: dict[str, Any] = {
    "/organisaties": {"get": {
        "operationId": "organisaties", "summary": "Alle organisaties op dit platform.",
        "responses": {"200": _response("Lijst van organisaties.", "OrganisatieLijst")}}},
    "/zaken": {"get": {
        "operationId": "zaken", "summary": "Openbare verzoeken en initiatieven.",
        "parameters": [
            ORGANISATIE,
            _param("type", "Soort zaak.", {"type": "string", "enum": list(REQUEST_TYPES)}),
            _param("status", "Statuscode uit de procedure.", {"type": "string", "maxLength": 60}),
            _param("jaar", "Jaar van indienen.", {"type": "integer", "minimum": 1900, "maximum": 2999}),
            _param("uitkomst", "Uitkomst van het besluit.", {"type": "string", "enum": OUTCOME_CODES}),
            _param("q", "Zoekwoorden (Nederlands, woordvormen tellen mee).",
                   {"type": "string", "maxLength": 200}),
            PAGE, PAGE_SIZE],
        "responses": {"200": _response("Lijst van zaken, nieuwste eerst.", "ZaakLijst"),
                      "400": BAD_REQUEST}}},
    "/zaken/{organisatie}/{id}": {"get": {
        "operationId": "zaak", "summary": "Eén openbare zaak met verloop, besluiten en documenten.",
        "parameters": [_param("organisatie", "Code (slug) van de organisatie.", {"type": "string"}, "path"),
                       _param("id", "Nummer van de zaak.", {"type": "integer"}, "path")],
        "responses": {"200": _response("De zaak.", "ZaakDetail"), "404": NOT_FOUND}}},
    "/besluiten": {"get": {
        "operationId": "besluiten", "summary": "Bekendgemaakte besluiten, nieuwste eerst.",
        "parameters": [ORGANISATIE, PAGE, PAGE_SIZE],
        "responses": {"200": _response("Lijst van besluiten.", "BesluitLijst"),
                      "400": BAD_REQUEST}}},
    "/transparantie/sleutel": {"get": {
        "operationId": "transparantieSleutel",
        "summary": "De publieke sleutel waarmee de checkpoints van het transparantielog zijn "
                   "ondertekend.",
        "responses": {"200": _response("De sleutel.", "Sleutel")}}},
    "/transparantie/checkpoint": {"get": {
        "operationId": "transparantieCheckpoint",
        "summary": "Het laatste ondertekende checkpoint: grootte en roothash van het log.",
        "responses": {"200": _response("Het checkpoint.", "Checkpoint"), "404": NOT_FOUND}}},
    "/transparantie/bladeren/{index}": {"get": {
        "operationId": "transparantieBlad", "summary": "Eén blad van het log.",
        "parameters": [_param("index", "Positie in het log, vanaf 0.", {"type": "integer"},
                              "path")],
        "responses": {"200": _response("Het blad.", "Blad"), "404": NOT_FOUND}}},
    "/transparantie/inclusie": {"get": {
        "operationId": "transparantieInclusie",
        "summary": "Bewijs dat een blad in de boom van een checkpoint zit (RFC 9162, 2.1.3).",
        "parameters": [_param("index", "Positie van het blad.", {"type": "integer", "minimum": 0},
                              required=True),
                       _param("grootte", "Grootte van de boom (van een checkpoint).",
                              {"type": "integer", "minimum": 1}, required=True)],
        "responses": {"200": _response("Het bewijs.", "Inclusiebewijs"), "400": BAD_REQUEST}}},
    "/transparantie/consistentie": {"get": {
        "operationId": "transparantieConsistentie",
        "summary": "Bewijs dat een oudere boom het begin is van een nieuwere (RFC 9162, 2.1.4).",
        "parameters": [_param("van", "Grootte van de oudere boom.", {"type": "integer", "minimum": 1},
                              required=True),
                       _param("tot", "Grootte van de nieuwere boom.", {"type": "integer", "minimum": 1},
                              required=True)],
        "responses": {"200": _response("Het bewijs.", "Consistentiebewijs"),
                      "400": BAD_REQUEST}}},
    "/transparantie/zaken/{organisatie}/{id}": {"get": {
        "operationId": "transparantieZaak", "summary": "De bladeren van één openbare zaak.",
        "parameters": [_param("organisatie", "Code (slug) van de organisatie.", {"type": "string"},
                              "path"),
                       _param("id", "Nummer van de zaak.", {"type": "integer"}, "path")],
        "responses": {"200": _response("De bladeren.", "ZaakLog"), "404": NOT_FOUND}}},
    "/openapi.json": {"get": {
        "operationId": "openapi", "summary": "Dit document.",
        "responses": {"200": {"description": "OpenAPI 3.0-document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}


def document(root: str = "") -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Participatieplatform: open data over verzoeken en initiatieven",
            "version": "1.0.0",
            "description": ("Alleen-lezen API met openbare zaken (uitdaagrecht, burgerinitiatieven, "
                            "bewonersinitiatieven) en bekendgemaakte besluiten. Namen van inwoners "
                            "staan er niet in. Vergaderingen, agendapunten en raadsbesluiten staan "
                            "in ORI v2-vorm onder /api/ori/v2/."),
            "license": {"name": "CC0 1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
        },
        "servers": [{"url": f"{root}/api/v1"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
