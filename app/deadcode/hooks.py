"""The methods that common external base classes call on their subclasses (hooks).

A method of a class whose base comes from outside the repository is an override only when the
base is known to call that name. Bases are named by their top-level package and class name, so
the same class re-exported elsewhere in its package (``django.views.View`` /
``django.views.generic.base.View``) is one entry. A base missing from this table still counts
as "any method may be an override".
"""

from __future__ import annotations

import collections.abc
import fnmatch
import re
from functools import cache

_TEST_CASE = (
    "setUp", "tearDown", "setUpClass", "tearDownClass", "asyncSetUp", "asyncTearDown",
    "setUpTestData", "run", "debug", "id", "shortDescription", "countTestCases",
    "defaultTestResult", "test*", "assert*", "fail*", "_callSetUp", "_callTearDown",
    "_callTestMethod", "_pre_setup", "_post_teardown", "_fixture_setup", "_fixture_teardown",
)  # fmt: skip
_HTTP_HANDLER = (
    "do_*", "handle", "handle_one_request", "handle_expect_100", "log_message", "log_request",
    "log_error", "send_error", "send_response", "send_header", "end_headers",
    "version_string", "date_time_string", "address_string", "parse_request", "setup",
    "finish", "translate_path", "list_directory", "guess_type", "send_head", "copyfile",
)  # fmt: skip
_DJANGO_VIEW = (
    "dispatch", "setup", "get", "post", "put", "patch", "delete", "head", "options", "trace",
    "http_method_not_allowed", "as_view", "get_*", "form_valid", "form_invalid",
    "render_to_response", "paginate_queryset", "post_*", "test_func", "handle_no_permission",
    "has_permission",
)  # fmt: skip
_LIGHTNING_MODULE = (
    "forward", "training_step", "validation_step", "test_step", "predict_step",
    "configure_*", "on_*", "*_step_end", "*_epoch_end", "*_dataloader", "setup", "teardown",
    "prepare_data", "optimizer_step", "optimizer_zero_grad", "lr_scheduler_step", "backward",
    "transfer_batch_to_device", "state_dict", "load_state_dict", "freeze", "unfreeze",
)  # fmt: skip
_VISITOR = ("visit", "visit_*", "generic_visit", "leave_*", "on_visit", "on_leave")

HOOKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("unittest", "TestCase"): _TEST_CASE,
    ("unittest", "IsolatedAsyncioTestCase"): _TEST_CASE,
    ("django", "TestCase"): _TEST_CASE,
    ("django", "SimpleTestCase"): _TEST_CASE,
    ("django", "TransactionTestCase"): _TEST_CASE,
    ("django", "LiveServerTestCase"): _TEST_CASE,
    ("django", "StaticLiveServerTestCase"): _TEST_CASE,
    ("torch", "Module"): ("forward", "extra_repr", "reset_parameters", "_load_from_state_dict",
                          "_save_to_state_dict", "train", "eval", "_apply", "state_dict",
                          "load_state_dict"),
    ("torch", "Dataset"): ("__getitem__", "__len__", "__add__"),
    ("torch", "IterableDataset"): ("__iter__",),
    ("torch", "Function"): ("forward", "backward", "setup_context", "jvp", "vmap"),
    ("pytorch_lightning", "LightningModule"): _LIGHTNING_MODULE,
    ("lightning", "LightningModule"): _LIGHTNING_MODULE,
    ("pytorch_lightning", "Callback"): ("on_*", "setup", "teardown", "state_dict",
                                        "load_state_dict"),
    ("lightning", "Callback"): ("on_*", "setup", "teardown", "state_dict", "load_state_dict"),
    ("pytorch_lightning", "LightningDataModule"): ("*_dataloader", "prepare_data", "setup",
                                                   "teardown", "state_dict", "load_state_dict",
                                                   "transfer_batch_to_device", "on_*"),
    ("lightning", "LightningDataModule"): ("*_dataloader", "prepare_data", "setup",
                                           "teardown", "state_dict", "load_state_dict",
                                           "transfer_batch_to_device", "on_*"),
    ("logging", "Handler"): ("emit", "flush", "close", "handle", "format", "createLock",
                             "acquire", "release", "setFormatter", "handleError", "filter",
                             "setLevel"),
    ("logging", "StreamHandler"): ("emit", "flush", "close", "handle", "format", "setStream",
                                   "handleError", "filter"),
    ("logging", "FileHandler"): ("emit", "flush", "close", "handle", "format", "_open",
                                 "handleError", "filter"),
    ("logging", "Formatter"): ("format", "formatTime", "formatException", "formatStack",
                               "usesTime", "formatMessage"),
    ("logging", "Filter"): ("filter",),
    ("logging", "LoggerAdapter"): ("process", "log", "debug", "info", "warning", "error",
                                   "exception", "critical"),
    ("ast", "NodeVisitor"): _VISITOR,
    ("ast", "NodeTransformer"): _VISITOR,
    ("libcst", "CSTVisitor"): _VISITOR,
    ("libcst", "CSTTransformer"): _VISITOR,
    ("argparse", "Action"): ("__call__", "format_usage"),
    ("argparse", "HelpFormatter"): ("_*", "format_help", "add_*", "start_section",
                                    "end_section"),
    ("argparse", "ArgumentParser"): ("error", "exit", "print_*", "format_*", "parse_*",
                                     "convert_arg_line_to_args", "_*"),
    ("http", "BaseHTTPRequestHandler"): _HTTP_HANDLER,
    ("http", "SimpleHTTPRequestHandler"): _HTTP_HANDLER,
    ("socketserver", "BaseRequestHandler"): ("setup", "handle", "finish"),
    ("socketserver", "StreamRequestHandler"): ("setup", "handle", "finish"),
    ("socketserver", "DatagramRequestHandler"): ("setup", "handle", "finish"),
    ("threading", "Thread"): ("run",),
    ("multiprocessing", "Process"): ("run",),
    ("json", "JSONEncoder"): ("default", "encode", "iterencode"),
    ("json", "JSONDecoder"): ("decode", "raw_decode"),
    ("cmd", "Cmd"): ("do_*", "help_*", "complete_*", "default", "emptyline", "precmd",
                     "postcmd", "preloop", "postloop", "completedefault", "onecmd"),
    ("html", "HTMLParser"): ("handle_*", "reset", "feed", "close", "unknown_decl"),
    ("string", "Formatter"): ("format", "vformat", "parse", "get_field", "get_value",
                              "check_unused_args", "format_field", "convert_field"),
    ("asyncio", "Protocol"): ("connection_made", "connection_lost", "data_received",
                              "eof_received", "pause_writing", "resume_writing"),
    ("asyncio", "DatagramProtocol"): ("connection_made", "connection_lost",
                                      "datagram_received", "error_received"),
    ("enum", "Enum"): ("_missing_", "_generate_next_value_", "_ignore_"),
    ("enum", "IntEnum"): ("_missing_", "_generate_next_value_", "_ignore_"),
    ("enum", "StrEnum"): ("_missing_", "_generate_next_value_", "_ignore_"),
    ("enum", "Flag"): ("_missing_", "_generate_next_value_", "_ignore_"),
    ("django", "Model"): ("save", "delete", "clean", "clean_fields", "full_clean",
                          "validate_unique", "validate_constraints", "get_absolute_url",
                          "natural_key", "refresh_from_db", "check", "serializable_value",
                          "get_deferred_fields", "save_base", "from_db", "_do_insert",
                          "_do_update", "_perform_unique_checks", "unique_error_message"),
    ("django", "Manager"): ("get_queryset", "get_by_natural_key", "contribute_to_class",
                            "check", "deconstruct"),
    ("django", "View"): _DJANGO_VIEW,
    ("django", "TemplateView"): _DJANGO_VIEW,
    ("django", "RedirectView"): _DJANGO_VIEW,
    ("django", "ListView"): _DJANGO_VIEW,
    ("django", "DetailView"): _DJANGO_VIEW,
    ("django", "FormView"): _DJANGO_VIEW,
    ("django", "CreateView"): _DJANGO_VIEW,
    ("django", "UpdateView"): _DJANGO_VIEW,
    ("django", "DeleteView"): _DJANGO_VIEW,
    ("django", "BaseCommand"): ("handle", "add_arguments", "check", "execute",
                                "create_parser", "get_version", "run_from_argv",
                                "handle_app_config", "handle_label"),
    ("django", "AppCommand"): ("handle", "handle_app_config", "add_arguments", "execute"),
    ("django", "LabelCommand"): ("handle", "handle_label", "add_arguments", "execute"),
    ("django", "AppConfig"): ("ready", "import_models", "get_model", "get_models"),
    ("django", "Form"): ("clean", "clean_*", "full_clean", "is_valid", "save", "_post_clean",
                         "add_error", "has_changed", "get_context", "render"),
    ("django", "ModelForm"): ("clean", "clean_*", "full_clean", "is_valid", "save",
                              "_post_clean", "_save_m2m", "validate_unique"),
    ("django", "Middleware"): ("process_*", "__call__"),
    ("django", "MiddlewareMixin"): ("process_*", "__call__"),
}  # fmt: skip
"""(top-level package, class name) → method name patterns the base calls."""

PROTOCOLS = frozenset({("typing", "Protocol"), ("typing_extensions", "Protocol")})
"""Bases that declare an interface: their own methods are its declarations."""


@cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(fnmatch.translate(p) for p in patterns))


def calls(qualified: str, method: str) -> bool | None:
    """Whether the external base ``qualified`` (``pkg.mod.Class``) calls ``method`` on its
    subclasses: ``True``/``False`` when the base is known, ``None`` when it is not."""
    top, _, rest = qualified.partition(".")
    name = qualified.rsplit(".", 1)[-1]
    if (top, name) in PROTOCOLS:
        return False
    if top in ("collections", "typing") and rest:
        known = getattr(collections.abc, name, None)
        if isinstance(known, type):
            return hasattr(known, method)
    patterns = HOOKS.get((top, name))
    if patterns is None:
        return None
    return bool(_compiled(patterns).fullmatch(method))


def is_protocol(qualified: str) -> bool:
    top, _, _ = qualified.partition(".")
    return (top, qualified.rsplit(".", 1)[-1]) in PROTOCOLS
