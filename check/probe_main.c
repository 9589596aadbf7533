/*
 * check/probe_main.c - facet-probe, the helper program that facet_probe and
 * facet_validate run a module in. All of it is in libfacet-check
 * (facet_probe_helper_main), so a host can ship its own copy.
 */
#include "facet/check.h"

/* In a sanitizer build, the sanitizer's own handlers would turn a module's
 * crash into an ordinary exit with status 1 (or 66), and its leak check would fail
 * the helper for what the module leaks (which validate reports itself). A
 * crash must stay a crash: the parent tells them apart by how the child
 * ended. The sanitizer runtime calls these hooks; other builds never do. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigill=0:handle_sigfpe=0:"
           "detect_leaks=0:abort_on_error=1";
}

/* What a module leaks is validate's to report (rule "leak"), and an object
 * whose count is found broken is left alive on purpose: the leak check
 * stays off even where ASAN_OPTIONS turns it on for the tests around. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
    return 1;
}

/* Undefined behaviour found in a module ends the helper with SIGABRT, a
 * crash, rather than exit status 1. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "abort_on_error=1:print_stacktrace=1";
}

const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigill=0:handle_sigfpe=0:"
           "report_bugs=0";
}

int main(int argc, char **argv)
{
    return facet_probe_helper_main(argc, argv);
}
