"""Rules that rewrite methods only on receivers of a proven type."""

from codemods.configparser_readfp import ReadFp
from codemods.logging_warn import LoggingWarn
from codemods.pandas_iteritems import PandasIteritems
from codemods.threading_methods import ThreadingMethods
from tests.codemods.support import check, unchanged


def test_logging_warn_module_function_and_loggers():
    check(
        LoggingWarn,
        """\
        import logging
        log = logging.getLogger(__name__)

        def f(other: logging.Logger):
            logging.warn("a")
            log.warn("b")
            other.warn("c")
            logging.getLogger("x").warn("d")
            logging.root.warn("e")
        """,
        """\
        import logging
        log = logging.getLogger(__name__)

        def f(other: logging.Logger):
            logging.warning("a")
            log.warning("b")
            other.warning("c")
            logging.getLogger("x").warning("d")
            logging.root.warning("e")
        """,
    )


def test_logging_warn_other_receivers_untouched():
    unchanged(
        LoggingWarn,
        """\
        import logging
        import warnings
        warnings.warn("x")

        class Reporter:
            def warn(self, text):
                print(text)

        reporter = Reporter()
        reporter.warn("logging.warn")  # log.warn

        def g(log):
            log.warn("unknown type")

        def h():
            log = logging.getLogger()
            log = Reporter()
            log.warn("ambiguous")
        """,
    )


def test_readfp_on_config_parsers():
    check(
        ReadFp,
        """\
        import configparser
        parser = configparser.ConfigParser()
        parser.readfp(stream, filename="x.ini")
        """,
        """\
        import configparser
        parser = configparser.ConfigParser()
        parser.read_file(stream, source="x.ini")
        """,
    )
    unchanged(ReadFp, "class P:\n    def readfp(self, f): ...\nP().readfp(f)\nparser.readfp(f)\n")


def test_threading_methods_on_threads_events_conditions():
    check(
        ThreadingMethods,
        """\
        import threading

        class Worker(threading.Thread):
            def run(self):
                print(self.getName())

        t = threading.Thread(target=work)
        t.setDaemon(True)
        t.setName("w")
        if t.isDaemon() and t.isAlive():
            pass
        e = threading.Event()
        e.isSet()
        c = threading.Condition()
        c.notifyAll()
        name = threading.current_thread().getName()
        """,
        """\
        import threading

        class Worker(threading.Thread):
            def run(self):
                print(self.name)

        t = threading.Thread(target=work)
        t.daemon = True
        t.name = "w"
        if t.daemon and t.is_alive():
            pass
        e = threading.Event()
        e.is_set()
        c = threading.Condition()
        c.notify_all()
        name = threading.current_thread().name
        """,
    )


def test_threading_methods_leave_other_types_alone():
    unchanged(
        ThreadingMethods,
        """\
        import threading

        class Person:
            def getName(self):
                return "p"

        p = Person()
        p.getName()
        t = threading.Thread()
        x = t.setDaemon(True)
        widget.setName("a")
        """,
    )


def test_pandas_iteritems_on_frames_and_series():
    check(
        PandasIteritems,
        """\
        import pandas as pd

        def f(frame: pd.DataFrame):
            df = pd.read_csv("x.csv")
            for k, v in df.iteritems():
                pass
            for k, v in df["a"].iteritems():
                pass
            return frame.iteritems()
        """,
        """\
        import pandas as pd

        def f(frame: pd.DataFrame):
            df = pd.read_csv("x.csv")
            for k, v in df.items():
                pass
            for k, v in df["a"].items():
                pass
            return frame.items()
        """,
    )


def test_pandas_iteritems_leaves_other_objects():
    unchanged(
        PandasIteritems,
        """\
        import pandas as pd
        d = {}
        d.iteritems()
        six_dict.iteritems()

        def f(df):
            return df.iteritems()
        """,
    )


def test_logger_kept_on_self():
    check(
        LoggingWarn,
        """\
        import logging

        class Service:
            log = logging.getLogger("service")

            def __init__(self):
                self.audit = logging.getLogger("audit")

            def run(self):
                self.log.warn("a")
                self.audit.warn("b")
        """,
        """\
        import logging

        class Service:
            log = logging.getLogger("service")

            def __init__(self):
                self.audit = logging.getLogger("audit")

            def run(self):
                self.log.warning("a")
                self.audit.warning("b")
        """,
    )


def test_self_attribute_with_mixed_or_hidden_assignments_untouched():
    unchanged(
        LoggingWarn,
        """\
        import logging

        class Service:
            def __init__(self, reporter):
                self.log = logging.getLogger("service")
                self.out, self.err = reporter, reporter

            def swap(self, other):
                self.log = other

            def run(self):
                self.log.warn("a")
                self.out.warn("b")
        """,
    )
