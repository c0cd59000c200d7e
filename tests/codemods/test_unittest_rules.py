from codemods.unittest_aliases import UnittestAliases
from codemods.unittest_dict_subset import AssertDictContainsSubset
from codemods.unittest_make_suite import UnittestMakeSuite
from tests.codemods.support import check, run, unchanged


def test_aliases_on_self_become_canonical_names():
    check(
        UnittestAliases,
        """\
        import unittest

        class T(unittest.TestCase):
            def test_a(self):
                self.assertEquals(1, 1)  # assertEquals in a comment stays
                self.assert_(True)
                self.failUnless("assertEquals")
                self.assertRegexpMatches("a", "a")
                check = self.assertNotEquals
        """,
        """\
        import unittest

        class T(unittest.TestCase):
            def test_a(self):
                self.assertEqual(1, 1)  # assertEquals in a comment stays
                self.assertTrue(True)
                self.assertTrue("assertEquals")
                self.assertRegex("a", "a")
                check = self.assertNotEqual
        """,
    )


def test_class_defining_its_own_alias_is_left_alone():
    unchanged(
        UnittestAliases,
        """\
        import unittest

        class Base(unittest.TestCase):
            def assertEquals(self, a, b):
                return a == b

        class T(Base):
            def test_a(self):
                self.assertEquals(1, 1)
        """,
    )


def test_only_self_receivers_change():
    unchanged(
        UnittestAliases,
        """\
        import unittest

        def helper(case):
            case.assertEquals(1, 1)

        class T(unittest.TestCase):
            @staticmethod
            def other(x):
                x.assertEquals(1, 1)

            def test_a(self):
                self = other_object()
                self.assertEquals(1, 1)

        checker.assertEquals(1, 2)
        """,
    )


def test_dict_contains_subset_is_reported_not_rewritten():
    source = """\
import unittest

class T(unittest.TestCase):
    def test_a(self):
        self.assertDictContainsSubset({"a": 1}, {"a": 1, "b": 2})
        other.assertDictContainsSubset({}, {})
"""
    new, hits = run(AssertDictContainsSubset, source)
    assert new == source
    assert [(h.rule_id, h.line, h.after) for h in hits] == [("MB102", 5, "")]


def test_make_suite_and_find_test_cases_use_a_loader():
    check(
        UnittestMakeSuite,
        """\
        import unittest
        from unittest import findTestCases
        suite = unittest.makeSuite(MyCase)
        more = findTestCases(module)
        kept = unittest.makeSuite(MyCase, "check")
        """,
        """\
        import unittest
        suite = unittest.TestLoader().loadTestsFromTestCase(MyCase)
        more = unittest.defaultTestLoader.loadTestsFromModule(module)
        kept = unittest.makeSuite(MyCase, "check")
        """,
    )


def test_make_suite_of_another_module_is_left_alone():
    unchanged(
        UnittestMakeSuite,
        """\
        from mytools import makeSuite
        suite = makeSuite(MyCase)
        """,
    )
