from codemods.django_force_text import DjangoForceText
from codemods.django_translation import DjangoTranslation
from codemods.django_url import DjangoUrl
from codemods.jinja2_markupsafe import Jinja2Markupsafe
from codemods.numpy2_aliases import Numpy2Aliases
from codemods.numpy2_functions import Numpy2Functions
from codemods.numpy_bool import NumpyBool
from codemods.numpy_builtin_aliases import NumpyBuiltinAliases
from codemods.sqlalchemy_select_list import SelectList
from codemods.werkzeug_safe_str_cmp import WerkzeugSafeStrCmp
from tests.codemods.support import check, unchanged


def test_numpy_builtin_aliases():
    check(
        NumpyBuiltinAliases,
        "import numpy as np\na = np.zeros(3, dtype=np.float)\nb = np.int(4)\nc = np.float64\n",
        "import numpy as np\na = np.zeros(3, dtype=float)\nb = int(4)\nc = np.float64\n",
    )


def test_numpy_aliases_respect_shadowing_and_shims():
    unchanged(
        NumpyBuiltinAliases,
        """\
        import numpy as np
        np.float = float  # a compatibility shim assigns the alias

        def f(float):
            return np.float
        """,
    )
    unchanged(NumpyBuiltinAliases, "import mynumpy as np\nnp.float\nx = 'np.float'\n")


def test_numpy_bool():
    check(NumpyBool, "import numpy\nx = numpy.bool\n", "x = bool\n")
    unchanged(NumpyBool, "import numpy as np\nx = np.bool_\n")


def test_numpy2_aliases_and_functions():
    check(
        Numpy2Aliases,
        "import numpy as np\nfrom numpy import NaN\nx = np.Inf + NaN\ny = np.float_(1)\n",
        "import numpy as np\nfrom numpy import nan\nx = np.inf + nan\ny = np.float64(1)\n",
    )
    check(
        Numpy2Functions,
        "import numpy as np\np = np.product(a)\nq = np.alltrue(a)\n",
        "import numpy as np\np = np.prod(a)\nq = np.all(a)\n",
    )
    unchanged(Numpy2Functions, "import math\nmath.prod(a)\nitertools.product(a)\n")


def test_numpy2_name_import_kept_when_new_name_is_taken():
    check(
        Numpy2Aliases,
        "from numpy import NaN\nnan = 0\nx = NaN\n",
        "from numpy import nan as NaN\nnan = 0\nx = NaN\n",
    )


def test_jinja2_markup_moves_to_markupsafe():
    check(
        Jinja2Markupsafe,
        "from jinja2 import Environment, Markup, escape\nm = Markup(escape(x))\n",
        "from jinja2 import Environment\nfrom markupsafe import Markup, escape\n"
        "m = Markup(escape(x))\n",
    )
    check(
        Jinja2Markupsafe,
        "import jinja2\nm = jinja2.Markup('x')\n",
        "import markupsafe\nm = markupsafe.Markup('x')\n",
    )
    unchanged(Jinja2Markupsafe, "from markupsafe import Markup\nfrom html import escape\n")


def test_werkzeug_safe_str_cmp():
    check(
        WerkzeugSafeStrCmp,
        "from werkzeug.security import safe_str_cmp\nok = safe_str_cmp(a, b)\n",
        "from hmac import compare_digest\nok = compare_digest(a, b)\n",
    )
    unchanged(WerkzeugSafeStrCmp, "from myapp.security import safe_str_cmp\nsafe_str_cmp(a, b)\n")


def test_sqlalchemy_select_list():
    check(
        SelectList,
        """\
        from sqlalchemy import select
        q = select([users.c.id, users.c.name]).where(x)
        r = select([
            users.c.id,
        ])
        """,
        """\
        from sqlalchemy import select
        q = select(users.c.id, users.c.name).where(x)
        r = select(
            users.c.id,
        )
        """,
    )
    unchanged(
        SelectList,
        "import select\nselect.select([a], [], [])\nfrom sqlalchemy import select\nselect(a)\n",
    )


def test_django_renames():
    check(
        DjangoTranslation,
        "from django.utils.translation import ugettext_lazy as _, ungettext\n"
        "n = ungettext('a', 'b', 2)\n",
        "from django.utils.translation import gettext_lazy as _, ngettext\n"
        "n = ngettext('a', 'b', 2)\n",
    )
    check(
        DjangoForceText,
        "from django.utils.encoding import force_text\ns = force_text(b)\n",
        "from django.utils.encoding import force_str\ns = force_str(b)\n",
    )
    check(
        DjangoUrl,
        "from django.conf.urls import include, url\nurlpatterns = [url(r'^$', view)]\n",
        "from django.conf.urls import include\nfrom django.urls import re_path\n"
        "urlpatterns = [re_path(r'^$', view)]\n",
    )


def test_django_url_of_another_module_untouched():
    unchanged(DjangoUrl, "from django.urls import path as url\nurlpatterns = [url('x', v)]\n")
