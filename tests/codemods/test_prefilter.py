"""The two cheap stages must keep every file a rule would change and drop obvious misses."""

import ast

from codemods.info import ProjectFacts
from codemods.json_encoding import JsonEncoding
from codemods.logging_warn import LoggingWarn
from codemods.prefilter import by_ast, survey
from codemods.registry import RULES
from codemods.text_filters import wanted


def test_survey_resolves_imports_and_calls():
    found = survey(
        ast.parse(
            "import numpy as np\nfrom json import loads as parse\nimport warnings\n"
            "np.float\nparse(s, encoding='x')\nwarnings.warn('a')\nlog.warn('b')\n"
        )
    )
    assert {"numpy", "numpy.float", "json.loads", "warnings.warn"} <= found.uses
    assert ("json.loads", "encoding") in found.calls
    assert found.methods == {"warn"}


def test_text_stage_needs_the_needles():
    infos = [rule.info for rule in RULES]
    assert wanted(b"print('hello')\n", infos, ProjectFacts()) == []
    assert JsonEncoding.info in wanted(
        b"import json\njson.loads(s, encoding='u')\n", infos, ProjectFacts()
    )


def test_ast_stage_drops_near_misses_and_keeps_real_ones():
    near = "import json\nopen(p, encoding='utf-8')\njson.loads(s)\n"
    assert by_ast(near, [JsonEncoding.info]) == []
    assert by_ast("import json\njson.loads(s, encoding='u')\n", [JsonEncoding.info]) == [
        JsonEncoding.info
    ]
    warnings_only = (
        "import logging\nimport warnings\nlog = logging.getLogger()\nwarnings.warn('x')\n"
    )
    assert by_ast(warnings_only, [LoggingWarn.info]) == []
    real = "import logging\nlog = logging.getLogger()\nlog.warn('x')\n"
    assert by_ast(real, [LoggingWarn.info]) == [LoggingWarn.info]
    assert by_ast("def broken(:\n", [LoggingWarn.info]) == [LoggingWarn.info]  # libcst reports it
