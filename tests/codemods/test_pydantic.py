from textwrap import dedent

from codemods.pydantic_v2_methods import PydanticV2Methods
from tests.codemods.support import check, models, run, unchanged

MODELS = """\
from pydantic import BaseModel

class User(BaseModel):
    name: str

class Admin(User):
    level: int = 0

class Custom(BaseModel):
    def dict(self):
        return {}
"""


def test_models_found_across_files_and_subclasses():
    facts = models(pkg__models=MODELS)
    assert set(facts.pydantic_models) == {
        "pkg.models.User",
        "pkg.models.Admin",
        "pkg.models.Custom",
    }
    assert "dict" in facts.pydantic_models["pkg.models.Custom"].defines


def test_methods_on_provable_models_only():
    facts = models(pkg__models=MODELS)
    check(
        PydanticV2Methods,
        """\
        import requests
        from pkg.models import User
        from .models import Admin

        def handle(user: User, raw: str):
            admin = Admin(name="a")
            payload = requests.get("https://example.com").json()
            data = user.dict(exclude_none=True)
            text = admin.json(indent=2)
            parsed = User.parse_obj(payload)
            again = Admin.parse_raw(raw)
            return data, text, parsed, again, response.json()
        """,
        """\
        import requests
        from pkg.models import User
        from .models import Admin

        def handle(user: User, raw: str):
            admin = Admin(name="a")
            payload = requests.get("https://example.com").json()
            data = user.model_dump(exclude_none=True)
            text = admin.model_dump_json(indent=2)
            parsed = User.model_validate(payload)
            again = Admin.model_validate_json(raw)
            return data, text, parsed, again, response.json()
        """,
        facts,
    )


def test_requests_json_and_unknown_receivers_never_change():
    facts = models(pkg__models=MODELS)
    unchanged(
        PydanticV2Methods,
        """\
        import requests
        from pkg.models import User, Custom

        response = requests.get("https://example.com")
        data = response.json()
        session = requests.Session()
        session.get("x").json()

        def f(thing, custom: Custom):
            thing.dict()
            custom.dict()
            User.parse_raw(b"{}", content_type="json")
            return {}.copy()
        """,
        facts,
    )


def test_self_inside_a_model_and_no_models_no_change():
    facts = models(pkg__models=MODELS)
    source = dedent(
        """\
        from pydantic import BaseModel

        class Point(BaseModel):
            x: int

            def as_dict(self):
                return self.dict()
        """
    )
    with_models = models(pkg__models=MODELS, pkg__mod=source)
    new, hits = run(PydanticV2Methods, source, with_models)
    assert "return self.model_dump()" in new
    assert [h.rule_id for h in hits] == ["MB212"]
    unchanged(PydanticV2Methods, source, facts)
