/*
 * tests/support/support.h - what every test shares: where the test modules
 * are, and the check that a test closed everything it opened.
 */
#ifndef FACET_TEST_SUPPORT_H
#define FACET_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "facet/facet.h"
#include "facet/testing.h"

/* The path of test module `name` (without suffix), in a static buffer. */
const char *facet_test_module(const char *name);

/* The folder of the test modules. */
const char *facet_test_module_dir(void);

/* A fresh temporary directory for this test, removed by
 * facet_test_remove_tree. Static buffer. */
const char *facet_test_tmpdir(void);
void facet_test_remove_tree(const char *path);

/* Writes size bytes to path; fails the test if it cannot. */
void facet_test_write_file(const char *path, const void *data, size_t size);
/* Reads a whole file into a malloc'd buffer; fails the test if it cannot. */
void *facet_test_read_file(const char *path, size_t *size);

/* Asserts that r is code and that the last error mentions every one of the
 * NULL-terminated strings given. */
void facet_test_expect_error(FacetResult r, FacetResult code, ...);
#define expect_error(r, code, ...) facet_test_expect_error((r), (code), __VA_ARGS__, (char *)NULL)

/* In a sanitizer's build, a program this test starts (facet, facet-host)
 * has the sanitizer too, whose handler would turn a SIGSEGV into an exit:
 * tells ASan and TSan (through their options in the environment) to let
 * the signal kill, as it does in every other build. */
void facet_test_let_signals_kill(void);

/* Every test ends with this: the runtime has no allocation outstanding. */
#define assert_no_leaks() assert_int_equal(facet_testing_live_allocations(), 0)

#endif
