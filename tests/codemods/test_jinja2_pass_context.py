from codemods.jinja2_pass_context import Jinja2PassContext
from tests.codemods.support import check, unchanged


def test_context_decorators_become_pass_decorators():
    check(
        Jinja2PassContext,
        "from jinja2 import contextfunction\n\n@contextfunction\ndef f(ctx):\n    return ctx\n",
        "from jinja2 import pass_context\n\n@pass_context\ndef f(ctx):\n    return ctx\n",
    )
    check(
        Jinja2PassContext,
        "import jinja2\n\n@jinja2.evalcontextfilter\ndef f(ctx, v):\n    return v\n",
        "import jinja2\n\n@jinja2.pass_eval_context\ndef f(ctx, v):\n    return v\n",
    )


def test_unrelated_names_are_left_alone():
    unchanged(
        Jinja2PassContext,
        "def contextfunction(f):\n    return f\n\n@contextfunction\ndef g():\n    pass\n",
    )
