from codemods.base64_bytes import Base64Bytes
from codemods.celementtree import CElementTree
from codemods.collections_abc import CollectionsAbc
from codemods.configparser_safe import SafeConfigParser
from codemods.distutils_find_executable import FindExecutable
from codemods.imp_reload import ImpReload
from codemods.locale_format import LocaleFormat
from codemods.pipes_quote import PipesQuote
from codemods.threading_functions import ThreadingFunctions
from tests.codemods.support import check, unchanged


def test_collections_abc_from_import_and_attribute():
    check(
        CollectionsAbc,
        """\
        import collections
        from collections import Mapping, OrderedDict
        from collections import (
            Sequence,
            Iterable,
        )

        def f(x: Mapping, y: collections.Iterable) -> collections.OrderedDict:
            "collections.Mapping in a string"  # collections.Mapping in a comment
            return isinstance(x, Sequence)
        """,
        """\
        import collections
        import collections.abc
        from collections import OrderedDict
        from collections.abc import (
            Sequence,
            Iterable,
            Mapping,
        )

        def f(x: Mapping, y: collections.abc.Iterable) -> collections.OrderedDict:
            "collections.Mapping in a string"  # collections.Mapping in a comment
            return isinstance(x, Sequence)
        """,
    )


def test_collections_shadowed_or_unrelated_is_left_alone():
    unchanged(
        CollectionsAbc,
        """\
        import collections.abc
        from typing import Mapping

        def g():
            collections = load()
            return collections.Mapping

        class Registry:
            Mapping = dict
            def get(self):
                return self.Mapping
        """,
    )


def test_collections_aliased_import_keeps_alias():
    check(
        CollectionsAbc,
        "from collections import Mapping as M\nx: M\n",
        "from collections.abc import Mapping as M\nx: M\n",
    )


def test_safe_config_parser_renamed_with_uses():
    check(
        SafeConfigParser,
        """\
        from configparser import SafeConfigParser
        import configparser
        a = SafeConfigParser()
        b = configparser.SafeConfigParser()
        """,
        """\
        from configparser import ConfigParser
        import configparser
        a = ConfigParser()
        b = configparser.ConfigParser()
        """,
    )


def test_safe_config_parser_keeps_old_local_name_when_new_one_is_taken():
    check(
        SafeConfigParser,
        """\
        from configparser import SafeConfigParser
        ConfigParser = object
        a = SafeConfigParser()
        """,
        """\
        from configparser import ConfigParser as SafeConfigParser
        ConfigParser = object
        a = SafeConfigParser()
        """,
    )


def test_safe_config_parser_of_another_module_untouched():
    unchanged(SafeConfigParser, "from mylib import SafeConfigParser\nSafeConfigParser()\n")


def test_threading_functions():
    check(
        ThreadingFunctions,
        """\
        import threading
        from threading import activeCount
        t = threading.currentThread()
        n = activeCount()
        """,
        """\
        import threading
        from threading import active_count
        t = threading.current_thread()
        n = active_count()
        """,
    )
    unchanged(ThreadingFunctions, "import mythreads as threading\nthreading.currentThread()\n")


def test_imp_reload_moves_to_importlib():
    check(
        ImpReload,
        "import imp\nimp.reload(mod)\n",
        "import importlib\nimportlib.reload(mod)\n",
    )
    check(
        ImpReload,
        "from imp import reload\nreload(m)\n",
        "from importlib import reload\nreload(m)\n",
    )
    unchanged(ImpReload, "from importlib import reload\nreload(m)\n")


def test_imp_reload_not_when_importlib_name_is_taken():
    unchanged(ImpReload, "import imp\nimportlib = None\nimp.reload(mod)\n")


def test_find_executable_only_with_compatible_arguments():
    check(
        FindExecutable,
        "from distutils.spawn import find_executable\npath = find_executable('git')\n",
        "from shutil import which\npath = which('git')\n",
    )
    unchanged(
        FindExecutable,
        "from distutils.spawn import find_executable\nfind_executable('git', '/bin')\n",
    )


def test_base64_locale_pipes_renames():
    check(
        Base64Bytes,
        "import base64\nbase64.encodestring(b'x'); base64.decodestring(b'eA==')\n",
        "import base64\nbase64.encodebytes(b'x'); base64.decodebytes(b'eA==')\n",
    )
    check(
        LocaleFormat,
        "import locale\nlocale.format('%d', 1, True)\nlocale.format(percent='%d', value=1)\n",
        "import locale\nlocale.format_string('%d', 1, True)\n"
        "locale.format(percent='%d', value=1)\n",
    )
    check(PipesQuote, "import pipes\npipes.quote(arg)\n", "import shlex\nshlex.quote(arg)\n")
    unchanged(PipesQuote, "import shlex\nshlex.quote(arg)  # pipes.quote\n")


def test_celementtree_imports():
    check(
        CElementTree,
        """\
        import xml.etree.cElementTree as ET
        from xml.etree import cElementTree
        from xml.etree.cElementTree import parse
        """,
        """\
        import xml.etree.ElementTree as ET
        from xml.etree import ElementTree as cElementTree
        from xml.etree.ElementTree import parse
        """,
    )
    unchanged(CElementTree, "import xml.etree.ElementTree as ET\nx = 'cElementTree'\n")
